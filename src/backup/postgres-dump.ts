import { createHash } from 'node:crypto'
import pg from 'pg'
import { tableClassification } from '../personal-data/index.js'
import { CopyIn, CopyOut } from './pg-copy.js'

/**
 * A logical dump of Custodian's own schema on PostgreSQL, with no external binary: one
 * repeatable-read transaction (one consistent snapshot while `serve` writes), every
 * table streamed with `COPY … TO STDOUT (FORMAT binary)` in foreign-key order.
 *
 * The format, in frames of a type byte and a 32-bit length:
 *   magic `CUSTODIAN-PGDUMP 1\n`
 *   H {migrations}            the schema version the rows belong to
 *   T {table, columns} D* E   one table: its COPY bytes in chunks
 *   Z {sha256, tables}        SHA-256 of every byte before this frame
 * `backup verify` reads it to the end and checks the digest without writing anything.
 */
export const dumpMagic = Buffer.from('CUSTODIAN-PGDUMP 1\n', 'latin1')

/**
 * Custodian's own tables, as the classification lists them (every table of the `DB`
 * type): another application's tables in the same schema are not Custodian's to copy.
 * The migrator's are not dumped (restore migrates), nor the subject keys (the vault's).
 */
const dumpedTables: ReadonlySet<string> = new Set(
  Object.keys(tableClassification).filter((table) => table !== 'subject_keys'),
)

export interface PostgresConnection {
  readonly connectionString: string
  readonly schema?: string | undefined
}

export async function connectTo(target: PostgresConnection): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: target.connectionString,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  })
  await client.connect()
  return client
}

function frameHead(type: string, length: number): Buffer {
  const head = Buffer.allocUnsafe(5)
  head.write(type, 0, 'latin1')
  head.writeUInt32BE(length, 1)
  return head
}

function frame(type: string, body: Buffer): Buffer {
  return Buffer.concat([frameHead(type, body.length), body])
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8')

/** Bytes the dump of the schema's tables will roughly take, for a progress bar. */
export async function estimateDumpBytes(client: pg.Client): Promise<number> {
  const result = await client.query<{ bytes: string | null }>(
    `select sum(pg_table_size(c.oid))::text as bytes from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r'`,
  )
  return Number(result.rows[0]?.bytes ?? 0)
}

/** The dump as a stream of chunks; the client must stay for the whole of it. */
export async function* dumpPostgres(client: pg.Client): AsyncGenerator<Buffer> {
  const hash = createHash('sha256')
  const emit = (bytes: Buffer) => {
    hash.update(bytes)
    return bytes
  }
  await client.query('begin isolation level repeatable read read only')
  try {
    yield emit(dumpMagic)
    const migrations = await client.query<{ name: string }>(
      'select name from kysely_migration order by name',
    )
    yield emit(frame('H', json({ migrations: migrations.rows.map((row) => row.name) })))
    const tables = await tablesInForeignKeyOrder(client)
    for (const table of tables) {
      const columns = await columnsOf(client, table)
      yield emit(frame('T', json({ table, columns })))
      const copy = client.query(
        new CopyOut(
          `copy ${quote(table)} (${columns.map(quote).join(', ')}) to stdout (format binary)`,
        ),
      )
      // The head and the rows apart: a chunk is never copied to put its head before it.
      for await (const chunk of copy as AsyncIterable<Buffer>) {
        yield emit(frameHead('D', chunk.length))
        yield emit(chunk)
      }
      await copy.finished
      yield emit(frame('E', json({ table })))
    }
    await client.query('commit')
    yield frame('Z', json({ sha256: hash.digest('hex'), tables: tables.length }))
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  }
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

async function tablesInForeignKeyOrder(client: pg.Client): Promise<string[]> {
  const tables = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind = 'r' order by c.relname`,
  )
  const references = await client.query<{ child: string; parent: string }>(
    `select child.relname as child, parent.relname as parent from pg_constraint k
       join pg_class child on child.oid = k.conrelid
       join pg_class parent on parent.oid = k.confrelid
       join pg_namespace n on n.oid = child.relnamespace
      where k.contype = 'f' and n.nspname = current_schema()`,
  )
  const names = tables.rows.map((row) => row.name).filter((name) => dumpedTables.has(name))
  const parents = new Map<string, Set<string>>(names.map((name) => [name, new Set()]))
  for (const { child, parent } of references.rows) {
    if (child !== parent) parents.get(child)?.add(parent)
  }
  // A parent before its children, so COPY FROM meets every foreign key satisfied.
  const ordered: string[] = []
  const placed = new Set<string>()
  const place = (name: string, path: Set<string>) => {
    if (placed.has(name) || path.has(name)) return
    path.add(name)
    for (const parent of parents.get(name) ?? []) place(parent, path)
    placed.add(name)
    ordered.push(name)
  }
  for (const name of names) place(name, new Set())
  return ordered
}

async function columnsOf(client: pg.Client, table: string): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  )
  return result.rows.map((row) => row.name)
}

/** What reading a dump calls: a table begins, bytes of it, it ends. */
export interface DumpSink {
  readonly header: (migrations: readonly string[]) => Promise<void>
  readonly beginTable: (table: string, columns: readonly string[]) => Promise<void>
  readonly data: (chunk: Buffer) => Promise<void>
  readonly endTable: (table: string) => Promise<void>
}

/**
 * Reads a dump from its chunks, checks its framing and its digest, and hands each part
 * to `sink` (none: `backup verify`). Throws on anything out of place.
 */
export async function readDump(
  chunks: AsyncIterable<Buffer>,
  sink?: DumpSink,
): Promise<{ tables: number; bytes: number }> {
  const reader = new FrameReader(chunks)
  const hash = createHash('sha256')
  const magic = await reader.take(dumpMagic.length)
  if (!magic.equals(dumpMagic)) throw new DumpError('the snapshot is not a Custodian dump')
  hash.update(magic)
  let tables = 0
  let open: string | undefined
  for (;;) {
    const head = await reader.take(5)
    const type = head.toString('latin1', 0, 1)
    const body = await reader.take(head.readUInt32BE(1))
    if (type === 'Z') {
      const trailer = parseJson(body) as { sha256?: unknown; tables?: unknown }
      if (open !== undefined) throw new DumpError('the dump ends inside a table')
      if (trailer.sha256 !== hash.digest('hex') || trailer.tables !== tables) {
        throw new DumpError('the dump’s digest does not match its contents')
      }
      if (!(await reader.atEnd())) throw new DumpError('bytes follow the end of the dump')
      return { tables, bytes: reader.consumed }
    }
    hash.update(head)
    hash.update(body)
    switch (type) {
      case 'H': {
        const header = parseJson(body) as { migrations?: unknown }
        if (!Array.isArray(header.migrations)) throw new DumpError('the dump has no schema version')
        await sink?.header(header.migrations.map(String))
        break
      }
      case 'T': {
        const start = parseJson(body) as { table?: unknown; columns?: unknown }
        if (
          open !== undefined ||
          typeof start.table !== 'string' ||
          !Array.isArray(start.columns)
        ) {
          throw new DumpError('a table starts out of place')
        }
        open = start.table
        await sink?.beginTable(open, start.columns.map(String))
        break
      }
      case 'D':
        if (open === undefined) throw new DumpError('rows outside a table')
        await sink?.data(body)
        break
      case 'E':
        if (open === undefined) throw new DumpError('a table ends that never began')
        await sink?.endTable(open)
        open = undefined
        tables += 1
        break
      default:
        throw new DumpError('an unknown frame')
    }
  }
}

export class DumpError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DumpError'
  }
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>
  } catch {
    // Falls through to the error below.
  }
  throw new DumpError('a frame of the dump is not JSON')
}

/** Takes exact byte counts from a stream of chunks of any size. */
class FrameReader {
  readonly #source: AsyncIterator<Buffer>
  #buffered: Buffer[] = []
  #length = 0
  consumed = 0

  constructor(chunks: AsyncIterable<Buffer>) {
    this.#source = chunks[Symbol.asyncIterator]()
  }

  async take(count: number): Promise<Buffer> {
    while (this.#length < count) {
      const next = await this.#source.next()
      if (next.done === true) throw new DumpError('the dump is cut short')
      this.#buffered.push(next.value)
      this.#length += next.value.length
    }
    const all =
      this.#buffered.length === 1
        ? (this.#buffered[0] ?? Buffer.alloc(0))
        : Buffer.concat(this.#buffered)
    const taken = all.subarray(0, count)
    const rest = all.subarray(count)
    this.#buffered = rest.length > 0 ? [rest] : []
    this.#length = rest.length
    this.consumed += count
    return taken
  }

  async atEnd(): Promise<boolean> {
    if (this.#length > 0) return false
    const next = await this.#source.next()
    return next.done === true || next.value.length === 0
  }
}

/** A sink that writes each table with COPY FROM STDIN on `client`, inside its transaction. */
export function copyIntoSink(client: pg.Client): DumpSink {
  let copy: CopyIn | undefined
  return {
    header: async () => {},
    beginTable: async (table, columns) => {
      copy = client.query(
        new CopyIn(
          `copy ${quote(table)} (${columns.map(quote).join(', ')}) from stdin (format binary)`,
        ),
      )
    },
    data: async (chunk) => {
      if (copy === undefined) throw new DumpError('rows outside a table')
      await copy.write(chunk)
    },
    endTable: async () => {
      await copy?.end()
      copy = undefined
    },
  }
}

export { quote as quoteIdentifier }

/**
 * Empties the tables the migrations seeded (the genesis head of the audit chain, the
 * shred counter): the dump brings their rows. The audit log's guards refuse a delete,
 * rightly; they are set aside for this one statement, in the restore's transaction, on
 * a schema nobody else uses yet.
 */
export async function clearSeedRows(client: pg.Client, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const name = quote(table)
    const rows = await client.query(`select 1 from ${name} limit 1`)
    if (rows.rowCount === null || rows.rowCount === 0) continue
    await client.query(`alter table ${name} disable trigger user`)
    await client.query(`truncate ${name}`)
    await client.query(`alter table ${name} enable trigger user`)
  }
}
