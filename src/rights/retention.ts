import type { RetentionRule } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'

/**
 * Art. 5(1)(e): a verification code is needed until it is used or lapses; a lapsed one's
 * hash goes (the request itself is kept as the record of the answer). Instance-wide: the
 * code's life is the module's own rule, not a workspace setting.
 */
export function verificationCodesRetention(db: Database): RetentionRule {
  const lapsed = (trx: Database, now: Date) =>
    trx
      .selectFrom('rights_requests')
      .where('code_expires_at', 'is not', null)
      .where('code_expires_at', '<=', now.toISOString())
  return {
    name: 'verification-codes',
    table: 'rights_requests',
    scope: 'instance',
    describe: () => 'verification codes past their expiry (the hash is cleared)',
    async countExpired({ now }) {
      const row = await lapsed(db, now)
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
    async purgeExpired(trx, { now }, limit) {
      const rows = await lapsed(trx, now).select('id').limit(limit).execute()
      if (rows.length === 0) return 0
      const result = await trx
        .updateTable('rights_requests')
        .set({ code_hash: null, code_expires_at: null })
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .where('code_expires_at', '<=', now.toISOString())
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },
  }
}
