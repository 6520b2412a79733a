import { randomUUID } from 'node:crypto'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'

/**
 * Sign-in attempts counted BEFORE the password is hashed: reserve, check, settle.
 *
 * Counting a failure only after the half-second hash let a burst of concurrent guesses
 * all be checked before the first one counted. Here each attempt first takes a
 * reservation, in the database so every process behind a load balancer sees it, and
 * only a granted reservation is allowed a password check. Live reservations and live
 * failures together may not pass the limit, so at most `perAccount` checks are ever in
 * flight or failed for one account within a window, whatever the concurrency.
 *
 * Keys are opaque: `account:<blind index of the email>` and `address:<blind index of
 * the client address>`. Keying the account by its email, not by a row, lets an unknown
 * email take reservations and lock exactly like a real one, so neither the answers nor
 * their timing tell whether an account exists.
 *
 * A reservation expires by itself (`reservationSeconds`): one left by a process that
 * died mid-check frees its place instead of locking the account for ever.
 */
export interface ThrottleKeys {
  account: string
  /** Absent when the client address is not known (a CLI call). */
  address?: string
}

export interface AttemptLimits {
  perAccount: number
  perAddress: number
  /** How long a failure counts (minutes): the lockout window. */
  windowMinutes: number
  /** How long a reservation holds its place when nobody settles it (seconds). */
  reservationSeconds: number
}

export type Reservation =
  | { granted: true; attemptId: string }
  | { granted: false; refusedBy: 'account' | 'address'; retryAfterSeconds: number }

/** The throttle key of an account: the instance-wide blind index of its email. */
export function accountKeyFor(emailLookup: Buffer): string {
  return `account:${emailLookup.toString('hex')}`
}

function keyLimits(keys: ThrottleKeys, limits: AttemptLimits): [string, number][] {
  // Always account before address: two attempts lock rows in the same order, no deadlock.
  const pairs: [string, number][] = [[keys.account, limits.perAccount]]
  if (keys.address !== undefined) pairs.push([keys.address, limits.perAddress])
  return pairs
}

const later = (now: Date, milliseconds: number) =>
  new Date(now.getTime() + milliseconds).toISOString()

/**
 * Takes a place for one password check under every key, or none: refused when a key's
 * live reservations and failures already reach its limit.
 */
export async function reserveAttempt(
  db: Database,
  keys: ThrottleKeys,
  now: Date,
  limits: AttemptLimits,
): Promise<Reservation> {
  const nowIso = now.toISOString()
  return inWriteTransaction(db, async (trx) => {
    for (const [key, limit] of keyLimits(keys, limits)) {
      await lockKey(trx, key, nowIso)
      const live = await liveAttempts(trx, key, nowIso)
      if (live.count >= limit) {
        const refusedBy = key === keys.account ? 'account' : 'address'
        return { granted: false, refusedBy, retryAfterSeconds: secondsUntil(live.firstExpiry, now) }
      }
    }
    const attemptId = randomUUID()
    const expiresAt = later(now, limits.reservationSeconds * 1000)
    for (const [key] of keyLimits(keys, limits)) {
      await trx
        .insertInto('sign_in_attempts')
        .values({
          throttle_key: key,
          attempt_id: attemptId,
          state: 'pending',
          expires_at: expiresAt,
        })
        .execute()
    }
    return { granted: true, attemptId }
  })
}

/**
 * The check failed: the reservation becomes a failure that counts for the window (it is
 * written anew if it expired meanwhile). `accountLocked` is true for the one failure
 * that brought the account to its limit, so the lock is recorded once.
 */
export async function settleFailure(
  db: Database,
  keys: ThrottleKeys,
  attemptId: string,
  now: Date,
  limits: AttemptLimits,
): Promise<{ accountLocked: boolean }> {
  const nowIso = now.toISOString()
  const expiresAt = later(now, limits.windowMinutes * 60_000)
  return inWriteTransaction(db, async (trx) => {
    for (const [key] of keyLimits(keys, limits)) {
      await lockKey(trx, key, nowIso)
      await trx
        .insertInto('sign_in_attempts')
        .values({
          throttle_key: key,
          attempt_id: attemptId,
          state: 'failed',
          expires_at: expiresAt,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['throttle_key', 'attempt_id'])
            .doUpdateSet({ state: 'failed', expires_at: expiresAt }),
        )
        .execute()
    }
    const failures = await trx
      .selectFrom('sign_in_attempts')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('throttle_key', '=', keys.account)
      .where('state', '=', 'failed')
      .where('expires_at', '>', nowIso)
      .executeTakeFirstOrThrow()
    await forgetExpired(trx, now, limits)
    return { accountLocked: Number(failures.count) === limits.perAccount }
  })
}

/**
 * The operator signed in: the account's failures are cleared, and this attempt's
 * reservations go without counting. Other attempts still in flight settle themselves.
 */
export async function settleSuccess(
  db: Database,
  keys: ThrottleKeys,
  attemptId: string,
): Promise<void> {
  await inWriteTransaction(db, async (trx) => {
    await trx
      .deleteFrom('sign_in_attempts')
      .where('throttle_key', '=', keys.account)
      .where((eb) => eb.or([eb('state', '=', 'failed'), eb('attempt_id', '=', attemptId)]))
      .execute()
    await trx.deleteFrom('sign_in_attempts').where('attempt_id', '=', attemptId).execute()
  })
}

/**
 * The account's failures are forgotten: its owner set a new password through a setup
 * link the platform admin reissued, so guesses at the old one no longer lock it out.
 */
export async function clearAccountFailures(db: Database, accountKey: string): Promise<void> {
  await db
    .deleteFrom('sign_in_attempts')
    .where('throttle_key', '=', accountKey)
    .where('state', '=', 'failed')
    .execute()
}

/**
 * Neither success nor failure (the password was right but a second factor or a choice of
 * workspace is still to come, or the check could not run): the place is given back.
 */
export async function releaseAttempt(db: Database, attemptId: string): Promise<void> {
  await db.deleteFrom('sign_in_attempts').where('attempt_id', '=', attemptId).execute()
}

async function lockKey(trx: Database, key: string, nowIso: string): Promise<void> {
  await trx
    .insertInto('sign_in_throttles')
    .values({ throttle_key: key, touched_at: nowIso })
    .onConflict((conflict) => conflict.column('throttle_key').doUpdateSet({ touched_at: nowIso }))
    .execute()
}

async function liveAttempts(
  trx: Database,
  key: string,
  nowIso: string,
): Promise<{ count: number; firstExpiry: string | null }> {
  const row = await trx
    .selectFrom('sign_in_attempts')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('count'),
      eb.fn.min<string | null>('expires_at').as('firstExpiry'),
    ])
    .where('throttle_key', '=', key)
    .where('expires_at', '>', nowIso)
    .executeTakeFirstOrThrow()
  return { count: Number(row.count), firstExpiry: row.firstExpiry }
}

function secondsUntil(iso: string | null, now: Date): number {
  if (iso === null) return 1
  return Math.max(1, Math.ceil((Date.parse(iso) - now.getTime()) / 1000))
}

/** Rows that no longer count, and throttle rows idle for longer than anything counts. */
async function forgetExpired(trx: Database, now: Date, limits: AttemptLimits): Promise<void> {
  await trx.deleteFrom('sign_in_attempts').where('expires_at', '<=', now.toISOString()).execute()
  const idleFor = Math.max(limits.windowMinutes * 60_000, limits.reservationSeconds * 1000)
  await trx
    .deleteFrom('sign_in_throttles')
    .where('touched_at', '<', new Date(now.getTime() - idleFor).toISOString())
    .execute()
}
