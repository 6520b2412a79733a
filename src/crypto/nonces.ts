import { writeRandomBytes } from '../random-pool.js'

export const nonceLength = 12

/** Writes a fresh 96-bit AES-GCM nonce into `target` at `at` (see random-pool.ts). */
export function writeNonce(target: Buffer, at: number): void {
  writeRandomBytes(target, at, nonceLength)
}
