import { Type } from 'typebox'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import {
  clearSessionCookie,
  requestContext,
  sessionCookieName,
  setSessionCookie,
} from './authenticate.js'
import { anyone, signedInOperator } from './access.js'
import { principalOf } from './authorize.js'
import type { IdentityDeps } from './identity.deps.js'
import {
  CodeBody,
  LoginBody,
  LogoutQuery,
  OperatorSchema,
  ProfileBody,
  RecoveryCodesSchema,
  SessionSchema,
  SetupBody,
  SetupLinkBody,
  SetupLinkSchema,
  WorkspaceChoiceSchema,
} from './identity.schemas.js'
import { completeSetup, getOperator, updateProfile } from './operators.service.js'
import type { Principal } from './principal.js'
import { logout } from './sessions.service.js'
import { checkSetupLink } from './setup-link.js'
import { login } from './sign-in.js'
import {
  confirmTotp,
  disableTotp,
  enrollTotp,
  regenerateRecoveryCodes,
} from './two-factor.service.js'

type OperatorPrincipal = Extract<Principal, { kind: 'operator' }>

function operatorOf(principal: Principal): OperatorPrincipal {
  if (principal.kind !== 'operator') {
    throw new AppError(
      'forbidden',
      'Only a signed-in operator has an account here; API keys do not',
    )
  }
  return principal
}

const tags = ['identity']

/** Sign-in, sign-out, the operator's own account and two-factor enrolment. */
export function registerIdentityRoutes(app: App, deps: IdentityDeps): void {
  app.post(
    '/v1/auth/setup',
    {
      config: { access: anyone },
      schema: {
        tags,
        summary: 'Set a password through a one-time setup link',
        body: SetupBody,
        response: { 200: OperatorSchema },
      },
    },
    async (request) => completeSetup(deps, request.body, requestContext(request)),
  )

  app.post(
    '/v1/auth/setup/check',
    {
      config: { access: anyone },
      schema: {
        tags,
        summary: 'Whether a setup link still works, and for which workspace, without using it',
        description:
          'The token travels in the body, never in a URL, so it stays out of logs. An unknown, used or expired link answers 404.',
        body: SetupLinkBody,
        response: { 200: SetupLinkSchema },
      },
    },
    async (request) => checkSetupLink(deps, request.body.token, requestContext(request)),
  )

  app.post(
    '/v1/auth/login',
    {
      config: { access: anyone },
      schema: {
        tags,
        summary: 'Sign in; sets the session cookie',
        description:
          'With workspaceId, signs in to that workspace. Without it, the email is looked for in every workspace: one account is signed in to; when the password opens several, the answer lists their workspaces and no session starts.',
        body: LoginBody,
        response: { 200: Type.Union([SessionSchema, WorkspaceChoiceSchema]) },
      },
    },
    async (request, reply) => {
      const outcome = await login(deps, request.body, requestContext(request))
      if (outcome.kind === 'choose-workspace') return { workspaces: outcome.workspaces }
      const { session } = outcome
      setSessionCookie(reply, session.token, session.expiresAt)
      return {
        operator: session.operator,
        workspace: session.workspace,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      }
    },
  )

  app.post(
    '/v1/auth/logout',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: 'End this session, or every session of this operator',
        querystring: LogoutQuery,
        response: { 200: Type.Object({ sessionsEnded: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const operator = operatorOf(principalOf(request))
      const result = await logout(
        deps,
        { ...operator, everywhere: request.query.everywhere ?? false },
        requestContext(request),
      )
      if (request.cookies[sessionCookieName]) clearSessionCookie(reply)
      return result
    },
  )

  app.get(
    '/v1/me',
    {
      config: { access: signedInOperator },
      schema: { tags, summary: 'The signed-in operator', response: { 200: OperatorSchema } },
    },
    async (request) => {
      const operator = operatorOf(principalOf(request))
      return getOperator(deps, operator.workspaceId, operator.operatorId)
    },
  )

  app.patch(
    '/v1/me',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: "Change the signed-in operator's profile",
        body: ProfileBody,
        response: { 200: OperatorSchema },
      },
    },
    async (request) => {
      const operator = operatorOf(principalOf(request))
      const actor = { actorType: 'operator' as const, actorId: operator.operatorId }
      return updateProfile(deps, { ...operator, ...request.body, actor }, requestContext(request))
    },
  )

  app.post(
    '/v1/me/2fa/enroll',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: 'Start TOTP enrolment: a secret and its otpauth:// URI',
        response: { 200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }) },
      },
    },
    async (request) => enrollTotp(deps, operatorOf(principalOf(request))),
  )

  app.post(
    '/v1/me/2fa/confirm',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: 'Finish enrolment with one code; returns ten recovery codes',
        body: CodeBody,
        response: { 200: RecoveryCodesSchema },
      },
    },
    async (request) =>
      confirmTotp(
        deps,
        operatorOf(principalOf(request)),
        request.body.code,
        requestContext(request),
      ),
  )

  app.post(
    '/v1/me/2fa/disable',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: 'Turn two-factor authentication off',
        body: CodeBody,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await disableTotp(
        deps,
        operatorOf(principalOf(request)),
        request.body.code,
        requestContext(request),
      )
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/me/2fa/recovery-codes',
    {
      config: { access: signedInOperator },
      schema: {
        tags,
        summary: 'Replace the recovery codes',
        body: CodeBody,
        response: { 200: RecoveryCodesSchema },
      },
    },
    async (request) =>
      regenerateRecoveryCodes(
        deps,
        operatorOf(principalOf(request)),
        request.body.code,
        requestContext(request),
      ),
  )
}
