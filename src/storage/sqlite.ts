import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect, type SqliteDatabase as KyselySqliteDatabase } from 'kysely'
import { LruCache } from '../lru.js'
import type { Database, Storage } from './database.js'
import type { DB } from './schema.js'
import { sqliteMmapBytes } from './sqlite-settings.js'

export const sqliteFileName = 'custodian.sqlite'

const pageCacheKibibytes = 64 * 1024

// The better-sqlite3 handle behind each store's Kysely instance (see withSqliteConnection).
const connections = new WeakMap<
  Database,
  { connection: SqliteDatabase.Database; cached: ReturnType<typeof withPreparedStatementCache> }
>()

/** Distinct SQL texts kept prepared; a busy server uses a few hundred. */
const preparedStatementCapacity = 1000

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
  // Look-ups by blind index land on random pages, and a server's working set (keys,
  // identifiers, consent states) should stay hot: 64 MiB of page cache instead of
  // SQLite's 2 MiB, and the file read through memory mapping (up to 1 GiB), which
  // spares a copy per page read (the WAL is still read the usual way).
  connection.pragma(`cache_size = -${String(pageCacheKibibytes)}`)
  connection.pragma(`mmap_size = ${String(sqliteMmapBytes)}`)
  const cached = withPreparedStatementCache(connection)
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cached }) })
  connections.set(db, { connection, cached })
  return {
    db,
    dialect: 'sqlite',
    location: path,
    async close() {
      await db.destroy()
    },
  }
}

/**
 * The connection as Kysely sees it, with each distinct SQL text prepared once. Kysely
 * calls `prepare` for every query, and SQLite compiling a statement costs more than
 * running a primary-key look-up with it: the hot paths (a consent decision, an audit
 * append) run the same few texts over and over. A statement still running (an open
 * iterator) is never handed out twice: a fresh one is prepared instead.
 */
export function withPreparedStatementCache(
  connection: SqliteDatabase.Database,
  capacity = preparedStatementCapacity,
): Omit<KyselySqliteDatabase, 'prepare'> & { prepare(text: string): SqliteDatabase.Statement } {
  const statements = new LruCache<string, SqliteDatabase.Statement>(capacity)
  return {
    close: () => connection.close(),
    prepare(text: string) {
      const cached = statements.get(text)
      if (cached !== undefined && !cached.busy) return cached
      const statement = connection.prepare(text)
      statements.set(text, statement)
      return statement
    },
  }
}

/**
 * Runs `work` with the better-sqlite3 handle under `db`, holding Kysely's connection
 * lock so no other query interleaves; undefined when `db` is not an SQLite store's own
 * instance (PostgreSQL, or a transaction). For the few reads whose cost is the rows
 * themselves: better-sqlite3 can hand rows back as arrays, which for a wide table costs
 * a third of building an object per row. Callers keep a Kysely path for the rest.
 */
export async function withSqliteConnection<T>(
  db: Database,
  work: (connection: SqliteDatabase.Database) => T,
): Promise<T | undefined> {
  const handle = connections.get(db)
  if (handle === undefined) return undefined
  return db.connection().execute(() => Promise.resolve(work(handle.connection)))
}

/**
 * `text` prepared (from the statement cache) on the store's SQLite connection, to run one
 * read on it at once, when no transaction is open on it; undefined otherwise (PostgreSQL,
 * a transaction handle, or a transaction open on the connection), and the caller goes
 * through Kysely.
 *
 * Kysely queues every query for the one connection behind an asynchronous lock, which
 * on a primary-key read costs more than SQLite takes to answer it. better-sqlite3 runs a
 * statement synchronously, so a read that starts and ends in one call cannot interleave
 * with any other query; the only thing the lock also keeps out is a read landing inside
 * another caller's open transaction (which spans awaits), where it would see writes that
 * may yet roll back. `inTransaction` says exactly that.
 */
export function preparedOnIdleSqlite(
  db: Database,
  text: string,
): SqliteDatabase.Statement | undefined {
  const handle = connections.get(db)
  if (handle === undefined || handle.connection.inTransaction) return undefined
  return handle.cached.prepare(text)
}

/**
 * SQLite's `data_version` on the store's own connection: it changes when another
 * connection (another process) commits, and only then; undefined for other stores.
 * Costs about a microsecond, so a cache can ask it on every look-up whether anything
 * was written elsewhere before paying for a query that says what.
 */
export function sqliteDataVersion(db: Database): number | undefined {
  const handle = connections.get(db)
  if (handle === undefined) return undefined
  return handle.cached.prepare('pragma data_version').pluck().get() as number
}
