import { isIP } from 'node:net'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { auditableRequestId } from '../http/index.js'
import { scrubText } from '../logger.js'
import { type AuditAction, isAuditAction } from './audit-actions.js'

/**
 * What an audit event may hold, checked before it is queued: pure, no I/O. The log is
 * kept for years and shown to operators and auditors, so it carries ids, verbs and
 * small facts only. The data subject appears as a blind index, the caller's IP sealed;
 * anything else shaped like personal data (an email or an IP address in an id or a
 * detail) is refused outright rather than stored.
 */
export const actorTypes = ['operator', 'api-key', 'system', 'end-user'] as const
export type ActorType = (typeof actorTypes)[number]

export const outcomes = ['allowed', 'denied', 'failed', 'succeeded'] as const
export type AuditOutcome = (typeof outcomes)[number]

export type AuditDetailValue = string | number | boolean | null | readonly (string | number)[]
/** Small facts about an event that are not personal data: field names, counts, versions. */
export type AuditDetails = Readonly<Record<string, AuditDetailValue>>

/**
 * One thing that happened, as a module reports it.
 *
 * @example
 *   await audit.record({
 *     ...auditContextOf(request),          // workspace, actor, request id, IP
 *     action: 'contact.read',
 *     resource: { type: 'contact', id: contactId },
 *     subjectId: contactId,                // stored as a blind index only
 *     purpose: 'support',
 *     outcome: 'allowed',
 *   })
 */
export interface AuditEvent {
  /** Null for platform events that belong to no workspace. */
  workspaceId: string | null
  actor: Actor
  /** One of the modules' catalogued actions (audit-actions.ts): `contact.read`, `auth.login_failed`. */
  action: AuditAction
  resource?: { type: string; id?: string | null } | null
  /** The data subject concerned (a contact id): kept only as a keyed blind index. */
  subjectId?: string | null
  /** Why the data was processed: `support`, `marketing`, `dsar`… */
  purpose?: string | null
  outcome: AuditOutcome
  requestId?: string | null
  /** The caller's address, sealed before it is stored. */
  ip?: string | null
  details?: AuditDetails | null
}

/** An event that passed the checks, every optional field made explicit. */
export interface CheckedEvent {
  workspaceId: string | null
  actorType: ActorType
  actorId: string | null
  action: AuditAction
  resourceType: string | null
  resourceId: string | null
  subjectId: string | null
  purpose: string | null
  outcome: AuditOutcome
  requestId: string | null
  ip: string | null
  /** Canonical JSON text: keys sorted, so equal details are equal text. */
  details: string | null
}

/**
 * The workspace id that platform events (no workspace) are sealed under. The nil UUID
 * (RFC 9562 §5.9) is never generated, so no real workspace can have it.
 */
export const platformWorkspaceId = '00000000-0000-0000-0000-000000000000'
/** The subject whose key seals IPs of system and anonymous callers. */
export const platformSubjectId = 'platform'

const identifier = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/
const resourceTypePattern = /^[a-z][a-z0-9_]{0,63}$/
const purposePattern = /^[a-z][a-z0-9_.:-]{0,63}$/
const detailKeyPattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
const limits = { detailKeys: 16, detailString: 200, detailArray: 32, detailsBytes: 2048 }

export function checkEvent(event: AuditEvent): CheckedEvent {
  const workspaceId = optionalId(event.workspaceId, 'workspaceId')
  if (workspaceId === platformWorkspaceId) {
    throw refused('workspaceId', 'is reserved; record a platform event with workspaceId null')
  }
  if (!(actorTypes as readonly string[]).includes(event.actor.actorType)) {
    throw refused('actor.actorType', `must be one of ${actorTypes.join(', ')}`)
  }
  // The type says so already; this holds for callers the compiler did not see.
  if (!isAuditAction(event.action)) {
    throw refused('action', 'is not an action of the audit catalogue')
  }
  if (!(outcomes as readonly string[]).includes(event.outcome)) {
    throw refused('outcome', `must be one of ${outcomes.join(', ')}`)
  }
  const resource = event.resource ?? null
  if (resource !== null && !resourceTypePattern.test(resource.type)) {
    throw refused('resource.type', 'must be a lower-case name such as contact')
  }
  const subjectId = event.subjectId ?? null
  if (subjectId !== null && (subjectId.trim() === '' || subjectId.length > 256)) {
    throw refused('subjectId', 'must be 1 to 256 characters')
  }
  if (subjectId !== null && workspaceId === null) {
    throw refused('subjectId', 'needs a workspaceId: data subjects belong to a workspace')
  }
  const purpose = event.purpose ?? null
  if (purpose !== null && !purposePattern.test(purpose)) {
    throw refused('purpose', 'must be a lower-case name such as support')
  }
  const ip = event.ip ?? null
  if (ip !== null && isIP(ip) === 0) throw refused('ip', 'is not an IP address')
  return {
    workspaceId,
    actorType: event.actor.actorType,
    actorId: optionalId(event.actor.actorId, 'actor.actorId'),
    action: event.action,
    resourceType: resource?.type ?? null,
    resourceId: resource === null ? null : optionalId(resource.id ?? null, 'resource.id'),
    subjectId,
    purpose,
    outcome: event.outcome,
    requestId: checkRequestId(event.requestId ?? null),
    ip,
    details: canonicalDetails(event.details ?? null),
  }
}

/** Details as canonical JSON text, after checking they are small and hold no personal data. */
export function canonicalDetails(details: AuditDetails | null): string | null {
  if (details === null) return null
  const keys = Object.keys(details).sort()
  if (keys.length === 0) return null
  if (keys.length > limits.detailKeys) {
    throw refused('details', `may hold at most ${limits.detailKeys} keys`)
  }
  const sorted: Record<string, AuditDetailValue> = {}
  for (const key of keys) {
    if (!detailKeyPattern.test(key)) throw refused('details', 'keys must be plain names')
    sorted[key] = checkDetailValue(key, details[key] ?? null)
  }
  const text = JSON.stringify(sorted)
  if (Buffer.byteLength(text, 'utf8') > limits.detailsBytes) {
    throw refused('details', `must be at most ${limits.detailsBytes} bytes as JSON`)
  }
  return text
}

function checkDetailValue(key: string, value: AuditDetailValue): AuditDetailValue {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refused(`details.${key}`, 'must be a finite number')
    return value
  }
  if (typeof value === 'string') return checkDetailString(key, value)
  if (!Array.isArray(value) || value.length > limits.detailArray) {
    throw refused(`details.${key}`, `must be a value or a list of at most ${limits.detailArray}`)
  }
  return value.map((item: unknown) => {
    if (typeof item === 'number' && Number.isFinite(item)) return item
    if (typeof item === 'string') return checkDetailString(key, item)
    throw refused(`details.${key}`, 'lists may hold only strings and numbers')
  })
}

function checkDetailString(key: string, value: string): string {
  if (value.length > limits.detailString) {
    throw refused(`details.${key}`, `must be at most ${limits.detailString} characters`)
  }
  if (looksPersonal(value)) {
    throw refused(`details.${key}`, 'looks like an email or an IP address: keep it out of the log')
  }
  return value
}

function checkRequestId(requestId: string | null): string | null {
  if (requestId !== null && auditableRequestId(requestId) === null) {
    throw refused('requestId', 'must be 1 to 64 of letters, digits, _ . : - and not an address')
  }
  return requestId
}

function optionalId(value: string | null, field: string): string | null {
  if (value === null) return null
  if (!identifier.test(value)) throw refused(field, 'must be an id (letters, digits, _ . : -)')
  if (looksPersonal(value)) throw refused(field, 'looks like an IP address, not an id')
  return value
}

/** The logger's own scrub finds emails and IP addresses; anything it would mask is refused. */
function looksPersonal(value: string): boolean {
  return scrubText(value) !== value
}

function refused(field: string, why: string): AppError {
  // Names the field, never the value: the value may be exactly what must not leak.
  return new AppError('invalid_request', `Audit event ${field} ${why}`, {
    errors: [{ in: 'audit', field, message: why }],
  })
}
