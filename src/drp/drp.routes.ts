import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { toAppError } from '../http/index.js'
import { actorOf, anyone, principalOf, requestContext, requires } from '../identity/index.js'
import {
  agentOfToken,
  type AgentsCaller,
  checkAgentToken,
  listAgents,
  registerAgent,
  removeAgent,
  setUpPairwiseToken,
} from './agents.service.js'
import type { DrpDeps } from './drp.deps.js'
import {
  AgentBody,
  AgentListSchema,
  AgentParams,
  AgentInfoSchema,
  AgentSchema,
  DrpErrorSchema,
  ExerciseStatusSchema,
  PairwiseTokenSchema,
  RequestParams,
  SetupParams,
  SignedBody,
} from './drp.schemas.js'
import { fileExercise, readExerciseStatus, revokeExercise } from './exercise.service.js'
import { refusalsAudited } from './refusals.js'
import { DrpRefusal } from './signed-message.logic.js'

const tags = ['drp']
/** A signed exercise with generous identity claims is a few kilobytes; nothing needs more. */
const signedBodyLimit = 64 * 1024

function callerOf(request: FastifyRequest): AgentsCaller {
  const principal = principalOf(request)
  const actor = actorOf(principal)
  return { workspaceId: principal.workspaceId, actor, label: `${actor.actorType}:${actor.actorId}` }
}

/**
 * The Data Rights Protocol 1.0 door (with Custodian's GDPR profile): the workspace's
 * agents under `/v1/drp/agents` (an operator or the secret key), and the protocol's own
 * endpoints, which authenticate themselves (the pair-wise bearer token and the signed
 * body), so their declared access is `anyone` and the checks come first in each
 * handler. They live in a scope of their own that alone reads `text/plain` bodies
 * (bounded) and answers errors in the protocol's shape (§3.06), not as problems.
 */
export async function registerDrpRoutes(app: App, deps: DrpDeps): Promise<void> {
  registerAgentRoutes(app, deps)
  await app.register(async (scope: App) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser(
      'text/plain',
      { parseAs: 'string', bodyLimit: signedBodyLimit },
      (_request, body, done) => {
        done(null, body)
      },
    )
    scope.setErrorHandler(answerDrpError)
    registerProtocolRoutes(scope, deps)
  })
}

function registerAgentRoutes(app: App, deps: DrpDeps): void {
  const manage = requires('keys:manage')
  app.post(
    '/v1/drp/agents',
    {
      config: { access: manage },
      schema: {
        tags,
        summary:
          'Register an authorised agent and its Ed25519 verify key: it may then set up its token and file requests',
        body: AgentBody,
        response: { 201: AgentSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await registerAgent(deps, callerOf(request), request.body, requestContext(request))),
  )
  app.get(
    '/v1/drp/agents',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: "The workspace's authorised agents",
        response: { 200: AgentListSchema },
      },
    },
    async (request) => ({ data: await listAgents(deps, callerOf(request).workspaceId) }),
  )
  app.delete(
    '/v1/drp/agents/:agentId',
    {
      config: { access: manage },
      schema: {
        tags,
        summary: 'Remove an agent: its token and key stop working',
        params: AgentParams,
      },
    },
    async (request, reply) => {
      await removeAgent(deps, callerOf(request), request.params.agentId, requestContext(request))
      return reply.code(204).send()
    },
  )
}

function registerProtocolRoutes(scope: App, deps: DrpDeps): void {
  const config = { access: anyone, ownBearerToken: true }
  const errors = { 400: DrpErrorSchema, 403: DrpErrorSchema, 409: DrpErrorSchema }
  const exercise = {
    config,
    schema: {
      tags,
      summary:
        'DRP §2.01 Data Rights Exercise: a signed exercise (text/plain) with the pair-wise bearer token; becomes a rights request',
      consumes: ['text/plain'],
      body: SignedBody,
      response: { 200: ExerciseStatusSchema, ...errors },
    },
  }
  const fileIt = async (request: FastifyRequest<{ Body: string }>) => {
    const context = requestContext(request)
    const agent = await refusalsAudited(
      deps,
      { endpoint: 'exercise', agent: undefined, context },
      () => agentOfToken(deps, request.headers.authorization),
    )
    return fileExercise(deps, agent, request.body, context)
  }
  scope.post('/v1/data-rights-request', exercise, fileIt)
  // Before 0.9.3 the path had a trailing slash; agents may still send it (§2.01).
  scope.post('/v1/data-rights-request/', exercise, fileIt)

  scope.get(
    '/v1/data-rights-request/:requestId',
    {
      config,
      schema: {
        tags,
        summary: 'DRP §2.02 Data Rights Status: the status of a request this agent filed',
        params: RequestParams,
        response: { 200: ExerciseStatusSchema, ...errors },
      },
    },
    async (request) => {
      const context = requestContext(request)
      const agent = await refusalsAudited(
        deps,
        { endpoint: 'status', agent: undefined, context },
        () => agentOfToken(deps, request.headers.authorization),
      )
      return readExerciseStatus(deps, agent, request.params.requestId, context)
    },
  )

  scope.delete(
    '/v1/data-rights-request/:requestId',
    {
      config,
      schema: {
        tags,
        summary:
          'DRP §2.04 Data Rights Revoke: a signed {reason} (text/plain) withdraws an open request',
        consumes: ['text/plain'],
        params: RequestParams,
        body: SignedBody,
        response: { 200: ExerciseStatusSchema, ...errors },
      },
    },
    async (request) => {
      const context = requestContext(request)
      const agent = await refusalsAudited(
        deps,
        { endpoint: 'revoke', agent: undefined, context },
        () => agentOfToken(deps, request.headers.authorization),
      )
      return revokeExercise(deps, agent, request.params.requestId, request.body, context)
    },
  )

  scope.post(
    '/v1/agent/:agentId',
    {
      config,
      schema: {
        tags,
        summary:
          'DRP §2.05 Pair-wise Key Setup: a signed message gives the agent its bearer token; 403 with no body otherwise',
        consumes: ['text/plain'],
        params: SetupParams,
        body: SignedBody,
        response: { 200: PairwiseTokenSchema },
      },
    },
    async (request, reply) => {
      try {
        return await setUpPairwiseToken(
          deps,
          request.params.agentId,
          request.body,
          requestContext(request),
        )
      } catch (error) {
        // §2.05.1: a failed validation is a 403 with no body.
        if (error instanceof DrpRefusal) return (reply as FastifyReply).code(403).send()
        throw error
      }
    },
  )

  scope.get(
    '/v1/agent/:agentId',
    {
      config,
      schema: {
        tags,
        summary: "DRP §2.06 Agent Information: {} when the bearer token is this agent's",
        params: SetupParams,
        response: { 200: AgentInfoSchema, 403: DrpErrorSchema },
      },
    },
    async (request) =>
      checkAgentToken(
        deps,
        request.params.agentId,
        request.headers.authorization,
        requestContext(request),
      ),
  )
}

/**
 * §3.06: errors as `{code, message, fatal?}` in `application/json`, `code` the HTTP
 * status as a string. Fastify's own refusals keep their status and our wording; a
 * server fault says nothing of itself.
 */
function answerDrpError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof DrpRefusal) {
    return sendDrpError(reply, error.status, error.message, error.fatal)
  }
  const appError = toAppError(error)
  if (appError.status >= 500) {
    request.log.error({ err: error }, 'request failed')
    return sendDrpError(reply, appError.status, 'The server failed; try again later', false)
  }
  const message =
    appError.code === 'unsupported_media_type'
      ? 'Send the signed message as text/plain'
      : appError.message
  void reply.headers(appError.headers)
  return sendDrpError(reply, appError.status, message, false)
}

function sendDrpError(
  reply: FastifyReply,
  status: number,
  message: string,
  fatal: boolean,
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ code: String(status), message, ...(fatal ? { fatal: true } : {}) }))
}
