import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'
import { auditableRequestId } from '../http/index.js'
import { actorOf, type Actor } from './principal.js'

/** The part of an audit event a request already knows: where, who, which request, from where. */
export interface AuditContext {
  workspaceId: string | null
  actor: Actor
  requestId: string | null
  ip: string | null
}

/**
 * Fills in an event from the request, so a route states only what it did.
 *
 * @example
 *   await audit.record({ ...auditContextOf(request), action: 'contact.read', outcome: 'allowed',
 *     resource: { type: 'contact', id }, subjectId: id, purpose: 'support' })
 */
export function auditContextOf(request: FastifyRequest): AuditContext {
  return {
    workspaceId: request.principal?.workspaceId ?? null,
    actor: actorOf(request.principal),
    requestId: auditableRequestId(request.id),
    // Behind some transports there is no peer address; the event then has none.
    ip: isIP(request.ip) === 0 ? null : request.ip,
  }
}
