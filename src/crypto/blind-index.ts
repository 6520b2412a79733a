import { createHmac, type KeyObject } from 'node:crypto'
import { normaliseEmail } from '../email/index.js'

/**
 * Blind indexes: a keyed HMAC-SHA256 of a normalised value, stored in an indexed
 * column beside the sealed value, so `WHERE email_index = ?` finds a row in O(log n)
 * without decrypting anything. Without the workspace's index key the digest reveals
 * nothing, not even across workspaces (each has its own key).
 *
 * Each kind hashes under its own prefix (domain separation): an email and an external
 * id that happen to be the same text give different digests, so one index cannot be
 * used to probe another.
 */
export const blindIndexKinds = [
  'email',
  'external_id',
  'anonymous_id',
  'ip_address',
  'subject_id',
] as const
export type BlindIndexKind = (typeof blindIndexKinds)[number]

/** The 32-byte digest length of an index entry, as stored in a blob/bytea column. */
export const blindIndexLength = 32

const prefixes: Record<BlindIndexKind, Buffer> = Object.fromEntries(
  blindIndexKinds.map((kind) => [kind, Buffer.from(`custodian/blind-index/v1/${kind}\0`, 'utf8')]),
) as Record<BlindIndexKind, Buffer>

/**
 * The form a value is indexed in, so spellings of the same thing match: emails as
 * `normaliseEmail` gives them (trimmed, NFC, lower-cased, the domain as its IDNA A-label;
 * an ASCII address exactly as before IDNA, so stored indexes keep matching); ids are only
 * trimmed, as they are opaque.
 */
export function normalizeForIndex(kind: BlindIndexKind, value: string): string {
  switch (kind) {
    case 'email':
      return normaliseEmail(value)
    case 'external_id':
    case 'anonymous_id':
      return value.trim()
    case 'subject_id':
      return value.trim()
    case 'ip_address':
      return value.trim().toLowerCase()
  }
}

export function computeBlindIndex(key: KeyObject, kind: BlindIndexKind, value: string): Buffer {
  return createHmac('sha256', key)
    .update(prefixes[kind])
    .update(normalizeForIndex(kind, value), 'utf8')
    .digest()
}
