import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Storage } from './database.js'
import type { DB } from './schema.js'

export interface PostgresOptions {
  connectionString: string
  /** A schema other than `public`, made if missing. Tests use one per file. */
  schema?: string
  maxConnections?: number
}

/** The production store. Several Custodian processes may share one database. */
export function openPostgres(options: PostgresOptions): Storage {
  const schema = options.schema
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('PostgreSQL schema names must be lower-case identifiers')
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    location: describePostgresUrl(options.connectionString),
    ...(schema ? { schema } : {}),
    async close() {
      await db.destroy()
    },
  }
}

/** The URL without its password, fit for a log line. */
export function describePostgresUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return 'postgres://(unparseable url)'
  }
}
