import { Secret, TOTP } from 'otpauth'

/**
 * Time-based one-time passwords (RFC 6238): SHA-1, 6 digits, 30-second steps, the
 * parameters every authenticator app understands. A code is accepted one step either
 * side of now (clock drift), and never twice: the caller stores the last accepted step
 * and passes it back, so a code seen over a shoulder cannot be replayed.
 */
export const totpPeriodSeconds = 30

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

export function totpUri(secretBase32: string, accountLabel: string, issuer = 'Custodian'): string {
  return buildTotp(secretBase32, accountLabel, issuer).toString()
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' }

export function checkTotp(
  secretBase32: string,
  code: string,
  now: Date,
  lastAcceptedStep: number | null,
): TotpCheck {
  const token = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'invalid' }
  const delta = buildTotp(secretBase32).validate({ token, timestamp: now.getTime(), window: 1 })
  if (delta === null) return { ok: false, reason: 'invalid' }
  const step = Math.floor(now.getTime() / 1000 / totpPeriodSeconds) + delta
  if (lastAcceptedStep !== null && step <= lastAcceptedStep)
    return { ok: false, reason: 'replayed' }
  return { ok: true, step }
}

/** The code an authenticator app would show at `at`; for enrolment checks and tests. */
export function totpCodeAt(secretBase32: string, at: Date): string {
  return buildTotp(secretBase32).generate({ timestamp: at.getTime() })
}

function buildTotp(secretBase32: string, label = 'operator', issuer = 'Custodian'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: totpPeriodSeconds,
    secret: Secret.fromBase32(secretBase32),
  })
}
