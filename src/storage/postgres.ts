import { Kysely, sql } from 'kysely'
import pg from 'pg'
import type { Database, Listening, Storage } from './database.js'
import { SchemaScopedPostgresDialect } from './postgres-introspector.js'
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
  const db = new Kysely<DB>({ dialect: new SchemaScopedPostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    location: describePostgresUrl(options.connectionString),
    ...(schema ? { schema } : {}),
    listen: (channel, onSignal, onLost) => listenOn(connection, channel, onSignal, onLost),
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

/** The channel `signal(db, channel)` sends on from `db`'s schema (for tests and tools). */
export async function channelNameIn(db: Database, channel: string): Promise<string> {
  const result = await sql<{ name: string }>`select ${channelInSchema(channel)} as name`.execute(db)
  const name = result.rows[0]?.name
  if (name === undefined) throw new Error('PostgreSQL named no channel')
  return name
}

/*
 * Channels are per database, so each is namespaced by the schema in use (tests share a
 * database, one schema each). Both ends ask their own connection which schema that is,
 * so they agree whatever the search_path. A hash of it keeps the name within
 * PostgreSQL's 63 bytes whatever the schema's length: SHA-256, which FIPS builds allow
 * (md5() fails there, and with it would fail every shred).
 */
const schemaTag =
  "left(encode(sha256(convert_to(coalesce(current_schema(), ''), 'UTF8')), 'hex'), 32)"
const channelInSchema = (channel: string) => sql<string>`${channel} || '_' || ${sql.raw(schemaTag)}`
// The same expression, for the listener's own pg client.
const channelInSchemaText = `select $1::text || '_' || ${schemaTag} as name`

const firstRetryMs = 1000
const lastRetryMs = 30_000

/*
 * One connection that LISTENs. When it is lost, `onSignal` is called (a signal may have
 * gone unheard), `onLost` says why, and it reconnects with a growing delay; on
 * reconnecting, `onSignal` again, for what was sent while nobody listened. TCP
 * keep-alive makes a silently dropped connection fail instead of waiting forever.
 */
async function listenOn(
  connection: pg.ClientConfig,
  channel: string,
  onSignal: () => void,
  onLost: (error: unknown) => void,
): Promise<Listening> {
  let closed = false
  let current: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let delay = firstRetryMs

  const lost = (client: pg.Client, error: unknown) => {
    if (closed || client !== current) return
    current = undefined
    void client.end().catch(() => {})
    onSignal()
    onLost(error)
    reconnectLater()
  }
  const connect = async (): Promise<void> => {
    const client = new pg.Client({ ...connection, keepAlive: true })
    let name: string | undefined
    client.on('error', (error) => {
      lost(client, error)
    })
    client.on('notification', (message) => {
      if (message.channel === name) onSignal()
    })
    try {
      await client.connect()
      const result = await client.query<{ name: string }>(channelInSchemaText, [channel])
      name = result.rows[0]?.name
      if (name === undefined) throw new Error('PostgreSQL named no channel')
      await client.query(`listen ${client.escapeIdentifier(name)}`)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    if (closed) {
      await client.end().catch(() => {})
      return
    }
    current = client
    delay = firstRetryMs
  }
  const reconnectLater = () => {
    retry = setTimeout(() => {
      retry = undefined
      connect().then(
        () => {
          onSignal()
        },
        (error: unknown) => {
          if (closed) return
          onLost(error)
          delay = Math.min(delay * 2, lastRetryMs)
          reconnectLater()
        },
      )
    }, delay)
    // Waiting to reconnect never keeps the process alive by itself.
    retry.unref()
  }

  await connect()
  return {
    async close() {
      closed = true
      if (retry !== undefined) clearTimeout(retry)
      const client = current
      current = undefined
      // A connection already lost has nothing left to end.
      await client?.end().catch(() => {})
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
