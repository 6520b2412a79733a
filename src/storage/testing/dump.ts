import { existsSync, readFileSync } from 'node:fs'
import { sql } from 'kysely'
import type { Storage } from '../database.js'

/**
 * What an attacker holding the database would see, for plaintext scans: every byte of
 * the SQLite file and its WAL, or every row of every PostgreSQL table as text (binary
 * columns both escaped and as hex).
 */
export async function dumpStore(storage: Storage): Promise<Buffer> {
  return storage.dialect === 'postgres' ? dumpPostgres(storage) : dumpSqlite(storage)
}

/** The ways a text may sit in stored bytes: UTF-8, UTF-16 and hex of UTF-8. */
export function encodingsOf(text: string): Buffer[] {
  const utf8 = Buffer.from(text, 'utf8')
  return [utf8, Buffer.from(text, 'utf16le'), Buffer.from(utf8.toString('hex'), 'latin1')]
}

export /** Every table's every row as text, with binary columns rendered both escaped and as hex. */
async function dumpPostgres(storage: Storage): Promise<Buffer> {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema()`.execute(storage.db)
  const parts: string[] = []
  for (const { table_name: table } of tables.rows) {
    const columns = await sql<{
      column_name: string
      data_type: string
    }>`select column_name, data_type
      from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(
      storage.db,
    )
    for (const column of columns.rows) {
      const ref = sql.ref(column.column_name)
      const rendered =
        column.data_type === 'bytea'
          ? sql<{
              value: string | null
            }>`select encode(${ref}, 'escape') || ' ' || encode(${ref}, 'hex') as value from ${sql.table(table)}`
          : sql<{ value: string | null }>`select ${ref}::text as value from ${sql.table(table)}`
      for (const row of (await rendered.execute(storage.db)).rows) parts.push(row.value ?? '')
    }
  }
  return Buffer.from(parts.join('\n'), 'utf8')
}

export function dumpSqlite(storage: Storage): Buffer {
  const files = [storage.location, `${storage.location}-wal`].filter((file) => existsSync(file))
  return Buffer.concat(files.map((file) => readFileSync(file)))
}
