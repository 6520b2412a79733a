import { sql } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'

/**
 * Keeps the query planner's statistics fresh, so a look-up by blind index stays an index
 * look-up as the store grows. Without statistics SQLite guesses that `workspace_id = ?`
 * alone is selective and scans a whole workspace's events to find one person's; with
 * them it searches the index of the identifier (erasure and export then follow the
 * person's own rows, not the store's size). SQLite's own advice: `PRAGMA optimize`
 * at open and every few hours on long-lived connections; it analyses only the tables
 * whose size changed much since. PostgreSQL's autovacuum
 * analyses by itself; nothing to do there.
 */
export async function refreshStatistics(db: Database): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return
  // No sampling limit: a sample makes `workspace_id` look selective (1,000 rows of a
  // million), the very mistake this is here to prevent. A full pass over a million
  // events takes about a second, once an hour, and blocks no reader or writer.
  await sql`pragma analysis_limit = 0`.execute(db)
  // 0x10002: also analyse tables that have never been analysed.
  await sql`pragma optimize = 0x10002`.execute(db)
}
