import type {} from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { authenticateApiKey, refusedKeyOf } from './api-keys.js'
import { auditContextOf } from './request-context.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { csrfTokenFor, sameSecret } from './secrets.js'
import { authenticateSession } from './sessions.service.js'

export const sessionCookieName = 'custodian_session'
export const csrfHeaderName = 'x-csrf-token'

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route reads `Authorization` itself: its Bearer token is no API key but a
     * credential of its own protocol (the Data Rights Protocol's pair-wise token), checked
     * first thing in its handler. The route declares `anyone`; no principal is set.
     */
    ownBearerToken?: boolean
  }
}

/**
 * Establishes who is calling, once per request, before any route runs: a Bearer API
 * key, or the session cookie. A Bearer token that is not a live key is refused at once
 * (never silently treated as anonymous). A cookie-authenticated write must carry the
 * session's CSRF token in `X-CSRF-Token`: a cross-site form cannot read it.
 */
export function registerAuthentication(
  app: App,
  deps: Pick<IdentityDeps, 'db' | 'clock' | 'policy' | 'audit'>,
): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.ownBearerToken === true) return
    const header = request.headers.authorization
    if (header !== undefined) {
      const match = /^Bearer\s+(\S{1,200})$/i.exec(header)
      if (match?.[1] === undefined) {
        throw new AppError('unauthorized', 'Send the API key as Authorization: Bearer <key>')
      }
      const principal = await authenticateApiKey(deps, match[1])
      if (principal === undefined) {
        await recordRefusedKey(deps, match[1], request)
        throw new AppError('unauthorized', 'The API key is unknown or revoked')
      }
      request.principal = principal
      return
    }
    const token = request.cookies[sessionCookieName]
    if (token === undefined || token === '') return
    const principal = await authenticateSession(deps, token)
    if (principal === undefined) return
    if (unsafeMethods.has(request.method)) {
      const offered = request.headers[csrfHeaderName]
      if (typeof offered !== 'string' || !sameSecret(offered, csrfTokenFor(token))) {
        throw new AppError(
          'forbidden',
          `Cookie-authenticated writes need the ${csrfHeaderName} header from sign-in`,
        )
      }
    }
    request.principal = principal
  })
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: string): void {
  void reply.setCookie(sessionCookieName, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires: new Date(expiresAt),
  })
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(sessionCookieName, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
  })
}

/**
 * Audits a refused Bearer key, queued: the breach rules watch for a revoked key still in
 * use and for one address trying many keys (Art. 32(1)(b), 33).
 */
async function recordRefusedKey(
  deps: Pick<IdentityDeps, 'db' | 'audit'>,
  key: string,
  request: FastifyRequest,
): Promise<void> {
  const refused = await refusedKeyOf(deps, key)
  const { ip, requestId } = auditContextOf(request)
  await deps.audit.recordSoon([
    refused.reason === 'revoked'
      ? {
          workspaceId: refused.workspaceId,
          actor: { actorType: 'api-key', actorId: refused.apiKeyId },
          action: 'auth.key_refused',
          resource: { type: 'api_key', id: refused.apiKeyId },
          outcome: 'denied',
          details: { reason: 'revoked' },
          ip,
          requestId,
        }
      : {
          workspaceId: null,
          actor: { actorType: 'api-key', actorId: null },
          action: 'auth.key_refused',
          outcome: 'denied',
          details: { reason: 'unknown' },
          ip,
          requestId,
        },
  ])
}

/** The request's context for the audit trail: its id and the caller's address. */
export function requestContext(request: FastifyRequest): RequestContext {
  const { ip, requestId } = auditContextOf(request)
  return { ip, requestId }
}
