import type { RetentionRule } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { defaultSessionPolicy } from './identity.deps.js'

/**
 * Identity's storage-limitation rules (Art. 5(1)(e)), instance-wide: sign-in attempts
 * that no longer count, throttle rows idle for longer than anything counts, and sessions
 * that ended (expired, revoked or idle past the limit). Sign-in itself forgets expired
 * attempts of the key it counts; these catch the keys nobody tries again.
 */
export function identityRetention(db: Database): RetentionRule[] {
  const policy = defaultSessionPolicy
  const throttleIdleMs = Math.max(policy.lockoutMinutes * 60_000, policy.reservationSeconds * 1000)
  const sessionIdleMs = policy.idleMinutes * 60_000
  return [
    {
      name: 'sign-in-attempts',
      table: 'sign_in_attempts',
      scope: 'instance',
      describe: () => 'sign-in attempts past their window',
      async countExpired({ now }) {
        const row = await db
          .selectFrom('sign_in_attempts')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .where('expires_at', '<=', now.toISOString())
          .executeTakeFirstOrThrow()
        return Number(row.count)
      },
      async purgeExpired(trx, { now }, limit) {
        const rows = await trx
          .selectFrom('sign_in_attempts')
          .select('attempt_id')
          .where('expires_at', '<=', now.toISOString())
          .limit(limit)
          .execute()
        if (rows.length === 0) return 0
        const result = await trx
          .deleteFrom('sign_in_attempts')
          .where(
            'attempt_id',
            'in',
            rows.map((row) => row.attempt_id),
          )
          .where('expires_at', '<=', now.toISOString())
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      },
    },
    {
      name: 'sign-in-throttles',
      table: 'sign_in_throttles',
      scope: 'instance',
      describe: () => `throttle rows idle for ${String(throttleIdleMs / 60_000)} minutes`,
      async countExpired({ now }) {
        const row = await db
          .selectFrom('sign_in_throttles')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .where('touched_at', '<', new Date(now.getTime() - throttleIdleMs).toISOString())
          .executeTakeFirstOrThrow()
        return Number(row.count)
      },
      async purgeExpired(trx, { now }, limit) {
        const idleSince = new Date(now.getTime() - throttleIdleMs).toISOString()
        const rows = await trx
          .selectFrom('sign_in_throttles')
          .select('throttle_key')
          .where('touched_at', '<', idleSince)
          .limit(limit)
          .execute()
        if (rows.length === 0) return 0
        const result = await trx
          .deleteFrom('sign_in_throttles')
          .where(
            'throttle_key',
            'in',
            rows.map((row) => row.throttle_key),
          )
          .where('touched_at', '<', idleSince)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      },
    },
    {
      name: 'ended-sessions',
      table: 'sessions',
      scope: 'instance',
      describe: () => 'sessions expired, revoked, or idle past the limit',
      async countExpired({ now }) {
        const row = await endedSessions(db, now, sessionIdleMs)
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        return Number(row.count)
      },
      async purgeExpired(trx, { now }, limit) {
        const rows = await endedSessions(trx, now, sessionIdleMs)
          .select('id')
          .limit(limit)
          .execute()
        if (rows.length === 0) return 0
        const result = await trx
          .deleteFrom('sessions')
          .where(
            'id',
            'in',
            rows.map((row) => row.id),
          )
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      },
    },
  ]
}

function endedSessions(db: Database, now: Date, idleMs: number) {
  const nowIso = now.toISOString()
  return db
    .selectFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<=', nowIso),
        eb('revoked_at', 'is not', null),
        eb('last_seen_at', '<', new Date(now.getTime() - idleMs).toISOString()),
      ]),
    )
}
