import { createHash, randomInt, timingSafeEqual } from 'node:crypto'

/**
 * Identity verification of a person's request (Art. 12(6)): a one-time code mailed to
 * the address the request names. Six digits are few, so a code lives briefly, allows
 * few attempts, and only its hash is stored.
 */
export const verificationPolicy = Object.freeze({
  codeMinutes: 30,
  attemptsPerCode: 5,
  /** Codes a request may be sent in all: the first, one reminder, and a few on demand. */
  codesPerRequest: 5,
  /** An unverified request is reminded once after this long… */
  remindAfterHours: 48,
  /** …and lapses this long after it was received, the person told. */
  lapseAfterDays: 14,
})

export function newVerificationCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0')
}

/** The code bound to its request: a hash stolen from one request fits no other. */
export function codeHash(requestId: string, code: string): string {
  return createHash('sha256')
    .update(`custodian/rights-code/v1\0${requestId}\0${code}`)
    .digest('hex')
}

export function codeMatches(storedHash: string, requestId: string, offered: string): boolean {
  if (!/^\d{6}$/.test(offered)) return false
  const expected = Buffer.from(storedHash, 'hex')
  const actual = Buffer.from(codeHash(requestId, offered), 'hex')
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(`custodian/rights-export/v1\0${token}`).digest('hex')
}
