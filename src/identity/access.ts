import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { csrfHeaderName, sessionCookieName } from './authenticate.js'
import { checkPermission } from './authorize.js'
import type { PublicKeyLimiter } from './public-key-limiter.js'
import { hashSecret, sameSecret } from './secrets.js'
import type { Permission } from './permissions.js'
import type { Principal } from './principal.js'

/**
 * Who may call a route, declared once in its options (`config: { access }`) and enforced
 * before the body is read: authentication runs first in `onRequest`, this check right
 * after it, so a caller without credentials learns nothing from validation messages
 * and costs no parsing. The same declaration gives the route's `security` in the
 * OpenAPI document, so the two cannot drift.
 */
export type Access =
  /** Anyone, signed in or not: health, documentation, sign-in, setup pages. */
  | { readonly kind: 'anyone' }
  /** A signed-in operator acting on their own account (profile, 2FA, sign-out). */
  | { readonly kind: 'operator' }
  /**
   * The platform admin, who runs the instance (backups, its health): not a workspace's
   * operator or key, but the instance's own admin token (`CUSTODIAN_ADMIN_TOKEN`) as a
   * Bearer token. No token configured: the route answers no one.
   */
  | { readonly kind: 'platform-admin'; readonly tokenDigest: string | undefined }
  /** Any operator of the workspace, or its secret key: reads nothing personal. */
  | { readonly kind: 'member' }
  | {
      readonly kind: 'permission'
      readonly permission: Permission
      /** The browser SDK's public key may call it too (ingest, consent). */
      readonly publicKey: boolean
      /**
       * The public key may arrive in the body (`writeKey`) because `sendBeacon` sends
       * no headers: the check then waits for the body, which the route authenticates.
       */
      readonly keyInBody: boolean
    }

export const anyone: Access = Object.freeze({ kind: 'anyone' })
export const signedInOperator: Access = Object.freeze({ kind: 'operator' })
export const workspaceMember: Access = Object.freeze({ kind: 'member' })

/** The platform admin's access, holding only the SHA-256 of the configured token. */
export function platformAdmin(adminToken: string | undefined): Access {
  return Object.freeze({
    kind: 'platform-admin',
    tokenDigest: adminToken === undefined ? undefined : hashSecret(adminToken),
  })
}

export function requires(
  permission: Permission,
  options: { publicKey?: boolean; keyInBody?: boolean } = {},
): Access {
  return Object.freeze({
    kind: 'permission',
    permission,
    publicKey: options.publicKey ?? false,
    keyInBody: options.keyInBody ?? false,
  })
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route declares it (see access.ts). */
    access?: Access
  }
}

/**
 * Makes every route's declared access the first thing checked after authentication,
 * and refuses at start-up a route that declares none: a new route cannot be open by
 * omission.
 */
export function enforceDeclaredAccess(
  app: App,
  options: { publicKeyLimiter?: PublicKeyLimiter } = {},
): void {
  const limiter = options.publicKeyLimiter
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    if (access === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access`)
    }
    if (route.schema !== undefined) {
      route.schema = { ...route.schema, security: securityOf(access, route.method) }
    }
    if (access.kind === 'anyone') return
    if (access.kind === 'platform-admin') {
      // Its Bearer token is no API key: authentication leaves it to this check.
      route.config = { ...route.config, ownBearerToken: true }
      const checkAdmin = async (request: FastifyRequest): Promise<void> => {
        checkPlatformAdmin(request.headers.authorization, access.tokenDigest)
      }
      route.onRequest = [...hooksOf(route.onRequest), checkAdmin]
      return
    }
    const limited = limiter !== undefined && access.kind === 'permission' && access.publicKey
    const check = async (request: FastifyRequest): Promise<void> => {
      checkAccess(request.principal, access)
      const principal = request.principal
      if (!limited || principal?.kind !== 'public-key') return
      const wait = limiter.take(`${principal.apiKeyId}|${request.ip}`)
      if (wait !== undefined) {
        throw new AppError(
          'rate_limited',
          'Too many requests from this address; try again shortly',
          {
            headers: { 'retry-after': String(wait) },
          },
        )
      }
    }
    if (access.kind === 'permission' && access.keyInBody) {
      route.preValidation = [...hooksOf(route.preValidation), check]
    } else {
      route.onRequest = [...hooksOf(route.onRequest), check]
    }
  })
}

function hooksOf<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}

/**
 * The platform admin's Bearer token against the configured one, compared as SHA-256
 * digests in constant time (so neither the token's length nor its prefix leaks).
 */
export function checkPlatformAdmin(
  authorization: string | undefined,
  tokenDigest: string | undefined,
): void {
  const offered = /^Bearer\s+(\S{1,200})$/i.exec(authorization ?? '')?.[1]
  if (offered === undefined) {
    throw new AppError('unauthorized', "Send the instance's admin token as a Bearer token", {
      headers: { 'www-authenticate': 'Bearer realm="custodian-admin"' },
    })
  }
  if (tokenDigest === undefined || !sameSecret(hashSecret(offered), tokenDigest)) {
    throw new AppError('unauthorized', 'The admin token is not valid here', {
      headers: { 'www-authenticate': 'Bearer realm="custodian-admin"' },
    })
  }
}

/** Whether a principal passes a route's declared access; throws the problem otherwise. */
export function checkAccess(principal: Principal | undefined, access: Access): void {
  switch (access.kind) {
    case 'anyone':
      return
    case 'platform-admin':
      // Checked from the Authorization header (enforceDeclaredAccess), never a principal.
      throw new AppError('forbidden', "Only the instance's admin token opens this")
    case 'operator':
      if (principal?.kind === 'operator') return
      if (principal === undefined) throw signInRequired()
      throw new AppError(
        'forbidden',
        'Only a signed-in operator has an account here; API keys do not',
      )
    case 'member':
      if (principal === undefined) throw signInRequired()
      if (principal.kind === 'public-key') {
        throw new AppError(
          'forbidden',
          'A public key may only send events and consents; use a secret key',
        )
      }
      return
    case 'permission':
      checkPermission(principal, access.permission, { allowPublicKey: access.publicKey })
  }
}

function signInRequired(): AppError {
  return new AppError('unauthorized', 'Sign in, or send a workspace API key as a Bearer token', {
    headers: { 'www-authenticate': 'Bearer realm="custodian"' },
  })
}

/** The OpenAPI security schemes, one per kind of credential. */
export const securitySchemes = {
  secretKey: {
    type: 'http',
    scheme: 'bearer',
    description: "A workspace's secret key (`cus_sk_…`), for servers",
  },
  publicKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      "A workspace's public key (`cus_pk_…`), for the browser SDK: ingest, consent and the visitor's own data",
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookieName,
    description: 'An operator session, set by POST /v1/auth/login',
  },
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: "The instance's admin token (CUSTODIAN_ADMIN_TOKEN), for the platform admin",
  },
  csrf: {
    type: 'apiKey',
    in: 'header',
    name: csrfHeaderName,
    description:
      'The csrfToken POST /v1/auth/login returned; needed with the session on every write',
  },
} as const

type SecurityRequirement = Partial<Record<keyof typeof securitySchemes, string[]>>

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The OpenAPI `security` of a route: the alternatives that let a caller in. */
export function securityOf(access: Access, method: string | string[]): SecurityRequirement[] {
  const methods = Array.isArray(method) ? method : [method]
  const session: SecurityRequirement = methods.every((name) => readMethods.has(name))
    ? { session: [] }
    : { session: [], csrf: [] }
  switch (access.kind) {
    case 'anyone':
      return []
    case 'platform-admin':
      return [{ adminToken: [] }]
    case 'operator':
      return [session]
    case 'member':
      return [{ secretKey: [] }, session]
    case 'permission':
      return [{ secretKey: [] }, ...(access.publicKey ? [{ publicKey: [] }] : []), session]
  }
}
