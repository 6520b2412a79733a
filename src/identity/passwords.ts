import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { type HashSlots, processHashSlots } from './hash-slots.js'

/**
 * Operator passwords are hashed with scrypt, a memory-hard KDF, and stored as a PHC
 * string (`$scrypt$ln=17,r=8,p=1$salt$hash`) so the parameters travel with the hash
 * and can be raised later: `needsRehash` tells when a stored hash is weaker than today's.
 *
 * Default cost: N = 2^17, r = 8, p = 1 — 128 MiB and a few hundred milliseconds per
 * hash, OWASP's recommendation for scrypt. Tests pass a cheaper cost of the same
 * algorithm. Every hash waits for one of the process's hash slots (`hash-slots.ts`),
 * which bound the memory and threads that concurrent sign-ins take.
 */
export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  logN: number
  r: number
  p: number
}

export const defaultScryptCost: ScryptCost = Object.freeze({ logN: 17, r: 8, p: 1 })

const keyLength = 32
const phcPattern =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

export const passwordRules = { minLength: 12, maxLength: 256 } as const

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 },
      (error, key) => {
        if (error) reject(error)
        else resolve(key)
      },
    )
  })
}

export async function hashPassword(
  password: string,
  cost: ScryptCost = defaultScryptCost,
  slots: HashSlots = processHashSlots,
): Promise<string> {
  const salt = randomBytes(16)
  const key = await slots.run(() => derive(password, salt, cost))
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`
}

export async function verifyPassword(
  password: string,
  stored: string,
  slots: HashSlots = processHashSlots,
): Promise<boolean> {
  const parsed = parsePhc(stored)
  if (parsed === undefined) return false
  const key = await slots.run(() => derive(password, parsed.salt, parsed.cost))
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key)
}

export function needsRehash(stored: string, cost: ScryptCost = defaultScryptCost): boolean {
  const parsed = parsePhc(stored)
  if (parsed === undefined) return true
  return parsed.cost.logN < cost.logN || parsed.cost.r < cost.r || parsed.cost.p < cost.p
}

function parsePhc(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const match = phcPattern.exec(stored)
  if (!match) return undefined
  const [, logN, r, p, salt, key] = match
  return {
    cost: { logN: Number(logN), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt ?? '', 'base64'),
    key: Buffer.from(key ?? '', 'base64'),
  }
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '')
}

/** A password a person can remember but a list cannot guess: length over composition rules (NIST SP 800-63B). */
export function checkPasswordStrength(password: string): string | undefined {
  if (password.length < passwordRules.minLength) {
    return `must be at least ${passwordRules.minLength} characters`
  }
  if (password.length > passwordRules.maxLength) {
    return `must be at most ${passwordRules.maxLength} characters`
  }
  if (new Set(password).size < 5) return 'must not be one character repeated'
  return undefined
}
