import { sql } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'
import type { DB } from './schema.js'
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

/**
 * PostgreSQL's nearest counterpart, run after the fact: a shredded key's row and a
 * redacted original are deleted, but under MVCC a DELETE (or an UPDATE, so overwriting
 * first is no help) leaves the old tuple in the table's pages until VACUUM prunes it,
 * and autovacuum waits for a fifth of a large table to be dead first. VACUUM turns those
 * tuples into free space that the next rows written overwrite. It does not zero the
 * bytes (PostgreSQL never does), nor reach the WAL segments not yet recycled or a
 * backup: there the sealed bytes stay unreadable only because the key that opened them
 * is gone. Never blocks readers or writers (`skip_locked`: a table busy with another
 * VACUUM is left to the next run). Answers whether it ran; SQLite needs none.
 */
export async function reclaimDeadRows(
  db: Database,
  tables: readonly (keyof DB)[],
): Promise<boolean> {
  if (dialectOf(db) !== 'postgres' || tables.length === 0) return false
  await sql`vacuum (skip_locked) ${sql.join(tables.map((table) => sql.table(table)))}`.execute(db)
  return true
}
