import { sql } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'

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
  if (db.isTransaction) return work(db)
  if (dialectOf(db) === 'postgres') return db.transaction().execute(work)
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection)
    try {
      const result = await work(connection)
      await sql`commit`.execute(connection)
      return result
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {})
      throw error
    }
  })
}

/** `FOR UPDATE`/`FOR SHARE` exist only on PostgreSQL; SQLite's write lock is whole-file. */
export function locksRows(db: Database): boolean {
  return dialectOf(db) === 'postgres'
}
