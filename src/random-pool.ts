import { randomFillSync } from 'node:crypto'

/**
 * Random bytes cut from a pool refilled from the operating system's CSPRNG. Asking the
 * OS for 12 or 16 bytes costs several microseconds, as much as sealing a value; one
 * refill serves hundreds of nonces and ids. Every slice is handed out once and wiped,
 * so each is as random as a direct `randomBytes` call (Node's own `randomUUID` keeps
 * such a cache too).
 */
const pool = Buffer.alloc(8192)
let offset = pool.length

/** Writes `length` (at most 256) fresh random bytes into `target` at `at`. */
export function writeRandomBytes(target: Buffer, at: number, length: number): void {
  if (length > 256) throw new RangeError('Ask randomFillSync for more than 256 random bytes')
  if (offset + length > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  pool.copy(target, at, offset, offset + length)
  pool.fill(0, offset, offset + length)
  offset += length
}
