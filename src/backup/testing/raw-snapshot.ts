import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import pg from 'pg'
import { sql } from 'kysely'
import type { CellRef, Keyring } from '../../crypto/index.js'
import { migrateTo, openPostgres, openSqlite, type Storage } from '../../storage/index.js'
import { testDatabaseUrl } from '../../storage/testing/dialects.js'
import { clearSeedRows, connectTo, copyIntoSink, readDump } from '../postgres-dump.js'

/**
 * A snapshot as an attacker with the decrypted file would load it by hand: the raw
 * bytes gpg gave, made a store again (an SQLite file, or the dump copied into a fresh
 * PostgreSQL schema), with no vault and no erasure replayed.
 */
export async function loadRawSnapshot(
  raw: Buffer,
  dialect: 'sqlite' | 'postgres',
): Promise<{ storage: Storage; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'custodian-raw-'))
    writeFileSync(join(directory, 'custodian.sqlite'), raw)
    const storage = openSqlite(directory)
    return {
      storage,
      async cleanup() {
        await storage.close()
        rmSync(directory, { recursive: true, force: true })
      },
    }
  }
  const schema = `raw_${String(process.pid)}_${Math.random().toString(36).slice(2, 10)}`
  const admin = new pg.Client({ connectionString: testDatabaseUrl })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const storage = openPostgres({ connectionString: testDatabaseUrl, schema, maxConnections: 2 })
  const client = await connectTo({ connectionString: testDatabaseUrl, schema })
  const sink = copyIntoSink(client)
  await readDump(Readable.from([raw]), {
    header: async (migrations) => {
      await migrateTo(storage, migrations[migrations.length - 1] ?? '')
      const tables = await client.query<{ name: string }>(
        `select tablename as name from pg_tables where schemaname = current_schema()
           and tablename not like 'kysely%'`,
      )
      await clearSeedRows(
        client,
        tables.rows.map((row) => row.name),
      )
    },
    beginTable: sink.beginTable,
    data: sink.data,
    endTable: sink.endTable,
  })
  await client.end()
  return {
    storage,
    async cleanup() {
      await storage.close()
      const drop = new pg.Client({ connectionString: testDatabaseUrl })
      await drop.connect()
      await drop.query(`drop schema if exists ${schema} cascade`)
      await drop.end()
    },
  }
}

/**
 * Every sealed value of every declared column that opens with the keys `keyring`
 * reaches, as clear bytes: what "every key the instance still holds" reveals.
 */
export async function openEverything(
  storage: Storage,
  keyring: Keyring,
): Promise<{ opened: Buffer[]; refused: number }> {
  const opened: Buffer[] = []
  let refused = 0
  for (const declaration of keyring.sealedColumns.list()) {
    const columns = [
      declaration.idColumn,
      declaration.workspaceColumn,
      declaration.subjectColumn,
      ...declaration.columns,
    ]
    const rows = await sql<Record<string, unknown>>`select ${sql.join(
      columns.map((column) => sql.ref(column)),
    )} from ${sql.table(declaration.table)}`.execute(storage.db)
    for (const row of rows.rows) {
      for (const column of declaration.columns) {
        const value = row[column]
        if (!(value instanceof Uint8Array)) continue
        const cell = {
          workspaceId: String(row[declaration.workspaceColumn]),
          subjectId: String(row[declaration.subjectColumn]),
          table: declaration.table,
          column,
          rowId: String(row[declaration.idColumn]),
        }
        const clear = await openAny(keyring, cell, value)
        if (clear === undefined) refused += 1
        else opened.push(clear)
      }
    }
  }
  return { opened, refused }
}

/** A field's bytes, or a JSON document as text: whichever the value holds, if it opens. */
async function openAny(
  keyring: Keyring,
  cell: CellRef,
  value: Uint8Array,
): Promise<Buffer | undefined> {
  try {
    return await keyring.open(cell, value)
  } catch {
    try {
      return Buffer.from(JSON.stringify(await keyring.openJson(cell, value)), 'utf8')
    } catch {
      return undefined
    }
  }
}
