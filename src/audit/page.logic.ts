import { AppError } from '../errors.js'
import type { ChainedEntry } from './chain.logic.js'

/**
 * How entries are shown to a workspace: pure. The view never carries the sealed IP
 * bytes, nor the workspace id (the caller's own); the IP appears only when a reader
 * asked for it and the reveal was audited.
 */
export interface AuditEntryView {
  seq: number
  id: string
  at: string
  actor: { type: string; id: string | null }
  action: string
  resource: { type: string; id: string | null } | null
  /** Blind index (hex) of the data subject, comparable with other entries of this workspace. */
  subjectRef: string | null
  purpose: string | null
  outcome: string
  requestId: string | null
  details: Record<string, StoredDetailValue> | null
  /** This entry's chain hash (hex), to quote when reporting it. */
  hash: string
  /** Only with includeIp: the caller's address, or null when none was recorded or it was erased. */
  ip?: string | null
}

/** A detail as read back from storage (JSON, so lists are plain arrays). */
export type StoredDetailValue = string | number | boolean | null | (string | number)[]

export const maxPageSize = 200
export const defaultPageSize = 50

export function toEntryView(entry: ChainedEntry): AuditEntryView {
  return {
    seq: entry.seq,
    id: entry.id,
    at: entry.at,
    actor: { type: entry.actor_type, id: entry.actor_id },
    action: entry.action,
    resource:
      entry.resource_type === null ? null : { type: entry.resource_type, id: entry.resource_id },
    subjectRef: entry.subject_ref,
    purpose: entry.purpose,
    outcome: entry.outcome,
    requestId: entry.request_id,
    details: parseDetails(entry.details),
    hash: entry.hash.toString('hex'),
  }
}

/**
 * The stored details text, parsed. It was canonical JSON of an object when written; if
 * the row was tampered with since, the listing shows no details rather than failing
 * (`audit verify` is what reports the tampering).
 */
function parseDetails(text: string | null): Record<string, StoredDetailValue> | null {
  if (text === null) return null
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
    const details: Record<string, StoredDetailValue> = {}
    for (const [key, value] of Object.entries(parsed)) {
      if (isDetailValue(value)) details[key] = value
    }
    return details
  } catch {
    return null
  }
}

function isDetailValue(value: unknown): value is StoredDetailValue {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' || typeof item === 'number')
  )
}

// The cursor is the seq of the last entry shown, wrapped so clients treat it as opaque
// and a later change of what it holds does not break them.
const cursorPattern = /^a1\.([1-9][0-9]{0,15})$/

export function encodeCursor(seq: number): string {
  return Buffer.from(`a1.${seq}`, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): number {
  const match = cursorPattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  const seq = match?.[1] === undefined ? Number.NaN : Number(match[1])
  if (!Number.isSafeInteger(seq)) {
    throw new AppError('invalid_request', 'The cursor is not one this API returned', {
      errors: [{ in: 'querystring', field: 'cursor', message: 'is not a valid cursor' }],
    })
  }
  return seq
}

/** A time bound as stored (`Date#toISOString`), so text comparison is time comparison. */
export function normalizeTimeBound(value: string, field: string): string {
  const time = new Date(value)
  if (Number.isNaN(time.getTime())) {
    throw new AppError('invalid_request', `${field} is not a date-time`, {
      errors: [{ in: 'querystring', field, message: 'is not a date-time' }],
    })
  }
  return time.toISOString()
}
