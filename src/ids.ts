import { writeRandomBytes } from './random-pool.js'

// Rewritten by every call before it is read: ids are made synchronously, one at a time.
const scratch = Buffer.alloc(16)

/**
 * Identifiers are UUIDv7 (RFC 9562): 48 bits of milliseconds then 74 random bits. They
 * sort by creation time, which keeps B-tree inserts local and makes cursors simple,
 * and carry enough randomness that one tenant cannot guess another's ids.
 */
export function newId(now: Date = new Date()): string {
  const ms = now.getTime()
  // 48 bits of milliseconds, big-endian: the high 32 then the low 16.
  scratch.writeUInt32BE(Math.floor(ms / 0x10000), 0)
  scratch.writeUInt16BE(ms % 0x10000, 4)
  writeRandomBytes(scratch, 6, 10)
  scratch[6] = ((scratch[6] ?? 0) & 0x0f) | 0x70
  scratch[8] = ((scratch[8] ?? 0) & 0x3f) | 0x80
  const hex = scratch.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** True for a well-formed UUID; routes check this before touching the database. */
export function isId(value: string): boolean {
  return uuidPattern.test(value)
}
