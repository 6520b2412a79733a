import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Storage } from './database.js'
import type { DB } from './schema.js'

export const sqliteFileName = 'custodian.sqlite'

/**
 * The embedded default: one SQLite file in the data directory. WAL lets the CLI read
 * while `serve` writes; `synchronous=FULL` makes an acknowledged commit survive power
 * loss, not just a process crash; `busy_timeout` makes a second process wait for the
 * write lock instead of failing.
 */
export function openSqlite(dataDir: string, fileName = sqliteFileName): Storage {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, fileName)
  const connection = new SqliteDatabase(path)
  // Only the service account may read the file (its WAL and SHM inherit this mode).
  chmodSync(path, 0o600)
  connection.pragma('journal_mode = WAL')
  connection.pragma('synchronous = FULL')
  connection.pragma('foreign_keys = ON')
  connection.pragma('busy_timeout = 5000')
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) })
  return {
    db,
    dialect: 'sqlite',
    location: path,
    async close() {
      await db.destroy()
    },
  }
}
