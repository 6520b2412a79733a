import { randomBytes } from 'node:crypto'

/**
 * Identifiers are UUIDv7 (RFC 9562): 48 bits of milliseconds then 74 random bits. They
 * sort by creation time, which keeps B-tree inserts local and makes cursors simple,
 * and carry enough randomness that one tenant cannot guess another's ids.
 */
export function newId(now: Date = new Date()): string {
  const bytes = randomBytes(16)
  const ms = BigInt(now.getTime())
  for (let index = 0; index < 6; index += 1) {
    bytes[index] = Number((ms >> BigInt(8 * (5 - index))) & 0xffn)
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** True for a well-formed UUID; routes check this before touching the database. */
export function isId(value: string): boolean {
  return uuidPattern.test(value)
}
