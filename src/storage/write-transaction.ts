import { sql } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'

// Connections inside an IMMEDIATE transaction begun here. Kysely does not know raw
// `begin immediate` made them transactions, so nested calls are recognised by this set.
const inImmediateTransaction = new WeakSet<Database>()

/** Whether `db` is already a transaction: a caller's work must join it, not begin another. */
export function isInTransaction(db: Database): boolean {
  return db.isTransaction || inImmediateTransaction.has(db)
}

/**
 * Runs `work` in a transaction that will write. On SQLite it begins IMMEDIATE: a
 * deferred transaction that reads and then writes fails with SQLITE_BUSY when another
 * process (the CLI next to `serve`) wrote in between, while an immediate one waits its
 * turn for the write lock. When `db` is already a transaction, `work` joins it.
 */
export async function inWriteTransaction<T>(
  db: Database,
  work: (trx: Database) => Promise<T>,
): Promise<T> {
  if (isInTransaction(db)) return work(db)
  if (dialectOf(db) === 'postgres') return db.transaction().execute(work)
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    inImmediateTransaction.add(connection)
    try {
      const result = await work(connection)
      await sql`commit`.execute(connection)
      return result
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {})
      throw error
    } finally {
      inImmediateTransaction.delete(connection)
    }
  })
}

/** `FOR UPDATE`/`FOR SHARE` exist only on PostgreSQL; SQLite's write lock is whole-file. */
export function locksRows(db: Database): boolean {
  return dialectOf(db) === 'postgres'
}
