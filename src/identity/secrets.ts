import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Bearer secrets (API keys, session tokens, setup links, recovery codes) are random
 * enough that a fast hash is safe to store: nobody can brute-force 160 random bits.
 * Only the SHA-256 is kept; the secret itself is shown once.
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * The CSRF token of a session is derived from the session token itself, so it needs no
 * storage and cannot be computed by a page that cannot read the cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('custodian-csrf-v1').digest('base64url')
}

const recoveryAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789'

/** Ten codes of 16 characters (about 78 bits each), grouped for reading aloud. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16)
    const characters = Array.from(bytes, (byte) => recoveryAlphabet[byte % recoveryAlphabet.length])
    const code = characters.join('')
    return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12, 16)}`
  })
}

/** Recovery codes are compared without dashes, spaces or case. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '')
}
