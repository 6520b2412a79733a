import type { Database } from '../storage/database.js'
import { inWriteTransaction } from '../storage/write-transaction.js'

/**
 * Failed sign-ins counted per key (a blind-indexed client address) in fixed windows,
 * in the database so every Custodian process behind a load balancer sees the same
 * count.
 */
export function windowStart(now: Date, windowMinutes: number): string {
  const size = windowMinutes * 60_000
  return new Date(Math.floor(now.getTime() / size) * size).toISOString()
}

export async function failuresInWindow(
  db: Database,
  throttleKey: string,
  now: Date,
  windowMinutes: number,
): Promise<number> {
  const row = await db
    .selectFrom('login_failures')
    .select('failures')
    .where('throttle_key', '=', throttleKey)
    .where('window_start', '=', windowStart(now, windowMinutes))
    .executeTakeFirst()
  return row?.failures ?? 0
}

export async function countFailure(
  db: Database,
  throttleKey: string,
  now: Date,
  windowMinutes: number,
): Promise<void> {
  const start = windowStart(now, windowMinutes)
  await inWriteTransaction(db, async (trx) => {
    await trx
      .insertInto('login_failures')
      .values({ throttle_key: throttleKey, window_start: start, failures: 1 })
      .onConflict((conflict) =>
        conflict
          .columns(['throttle_key', 'window_start'])
          .doUpdateSet((eb) => ({ failures: eb('login_failures.failures', '+', 1) })),
      )
      .execute()
    // Old windows are of no further use; dropping them keeps the table small.
    await trx.deleteFrom('login_failures').where('window_start', '<', start).execute()
  })
}
