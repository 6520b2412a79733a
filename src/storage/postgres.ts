import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database, Listening, Storage } from './database.js'
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
  const connection = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: 5000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  }
  const pool = new pg.Pool({ ...connection, max: options.maxConnections ?? 10 })
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    location: describePostgresUrl(options.connectionString),
    ...(schema ? { schema } : {}),
    listen: (channel, onSignal) => listenOn(connection, channel, onSignal),
    async close() {
      await db.destroy()
    },
  }
}

/**
 * Sends `channel`'s signal when the caller's transaction commits (at once outside one);
 * `Storage.listen` on the same database and schema hears it, in every process.
 */
export async function signal(db: Database, channel: string): Promise<void> {
  await sql`select pg_notify(${channelInSchema(channel)}, '')`.execute(db)
}

/*
 * Channels are per database, so each is namespaced by the schema in use (tests share a
 * database, one schema each). Both ends ask their own connection which schema that is,
 * so they agree whatever the search_path; its MD5 keeps the name within PostgreSQL's
 * 63 bytes whatever the schema's length.
 */
const channelInSchema = (channel: string) =>
  sql<string>`${channel} || '_' || md5(coalesce(current_schema(), ''))`
// The same expression, for the listener's own pg client.
const channelInSchemaText = `select $1::text || '_' || md5(coalesce(current_schema(), '')) as name`

async function listenOn(
  connection: pg.ClientConfig,
  channel: string,
  onSignal: () => void,
): Promise<Listening> {
  const client = new pg.Client(connection)
  let open = true
  let name: string | undefined
  // A lost connection may have lost a signal: say so once; the caller's own fallback
  // (a periodic check) then carries on alone.
  client.on('error', () => {
    if (open) onSignal()
    open = false
  })
  client.on('notification', (message) => {
    if (message.channel === name) onSignal()
  })
  await client.connect()
  try {
    const result = await client.query<{ name: string }>(channelInSchemaText, [channel])
    name = result.rows[0]?.name
    if (name === undefined) throw new Error('PostgreSQL named no channel')
    await client.query(`listen ${client.escapeIdentifier(name)}`)
  } catch (error) {
    open = false
    await client.end().catch(() => {})
    throw error
  }
  return {
    async close() {
      open = false
      // A connection already lost has nothing left to end.
      await client.end().catch(() => {})
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
