import { type Kysely, PostgresAdapter, SqliteAdapter } from 'kysely'
import type { DialectName } from './database.js'

/**
 * Which dialect a Kysely instance runs on, read from its adapter. Migrations receive a
 * bare `Kysely<unknown>` and no `Storage`, so this is how they branch where the two
 * dialects differ.
 */
export function dialectOf<T>(db: Kysely<T>): DialectName {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof SqliteAdapter) return 'sqlite'
  throw new Error(`Unsupported database adapter: ${adapter.constructor.name}`)
}

/**
 * The column type for binary values such as sealed envelopes, blind indexes and wrapped
 * keys: `bytea` on PostgreSQL, `blob` on SQLite. Both drivers hand these back as Buffer.
 */
export function binaryColumnType<T>(db: Kysely<T>): 'bytea' | 'blob' {
  return dialectOf(db) === 'postgres' ? 'bytea' : 'blob'
}
