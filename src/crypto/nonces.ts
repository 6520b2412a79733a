import { randomFillSync } from 'node:crypto'

export const nonceLength = 12

/**
 * Fresh 96-bit nonces for AES-GCM, cut from a pool of random bytes refilled from the
 * operating system's CSPRNG. Asking the OS for 12 bytes costs several microseconds, as
 * much as the encryption itself; one refill serves hundreds of nonces. Every slice is
 * handed out once and the pool is never reused, so each nonce is as random as a direct
 * `randomBytes(12)` (Node's own `randomUUID` keeps such a cache too).
 */
const pool = Buffer.alloc(nonceLength * 512)
let offset = pool.length

/** Writes a fresh nonce into `target` at `at`. */
export function writeNonce(target: Buffer, at: number): void {
  if (offset + nonceLength > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  pool.copy(target, at, offset, offset + nonceLength)
  // Wipe the slice so no later copy of the pool can hand it out again.
  pool.fill(0, offset, offset + nonceLength)
  offset += nonceLength
}
