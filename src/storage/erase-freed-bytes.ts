import { sql } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'
import { inWriteTransaction } from './write-transaction.js'

/**
 * A write transaction that destroys something (a redacted original and its key) so that
 * its bytes leave the database file and the WAL too, not only the rows. On SQLite a
 * deleted or overwritten cell stays in its page, and the page's older image in the WAL,
 * until reused: here deleted content is zeroed as it is freed (`secure_delete`) and the
 * WAL is checkpointed into the file and truncated after the commit. On PostgreSQL a
 * dead row version stays in the table's files until VACUUM reuses its space: what it
 * held was sealed, and its key is what the transaction destroyed.
 */
export async function inErasingTransaction<T>(
  db: Database,
  work: (trx: Database) => Promise<T>,
): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return inWriteTransaction(db, work)
  const before = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(db)
  const previous = before.rows[0]?.secure_delete ?? 0
  await sql`pragma secure_delete = 1`.execute(db)
  try {
    const result = await inWriteTransaction(db, work)
    await sql`pragma wal_checkpoint(truncate)`.execute(db)
    return result
  } finally {
    await sql.raw(`pragma secure_delete = ${previous === 1 ? 1 : 0}`).execute(db)
  }
}
