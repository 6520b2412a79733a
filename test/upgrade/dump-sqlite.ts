import SqliteDatabase from 'better-sqlite3'
import { type FixtureTable, storedValueOf } from './fixture-file.js'

/**
 * Every row of every table of a release's SQLite file, in the order the release created
 * its tables (so parents load before the rows that refer to them), each table's rows
 * sorted by its key for a stable file. Kysely's own bookkeeping is left out: the store
 * the rows load into has its own, up to `schemaVersion`.
 */
export function dumpSqliteFile(path: string): { schemaVersion: string; tables: FixtureTable[] } {
  const db = new SqliteDatabase(path, { readonly: true, fileMustExist: true })
  try {
    const names = db
      .prepare(
        `select name from sqlite_master where type = 'table'
         and name not like 'sqlite_%' and name not like 'kysely_%' order by rowid`,
      )
      .pluck()
      .all()
      .map(String)
    const tables = names.map((name) => dumpTable(db, name))
    const version: unknown = db.prepare('select max(name) from kysely_migration').pluck().get()
    if (typeof version !== 'string') throw new Error('The release applied no migration')
    return { schemaVersion: version, tables }
  } finally {
    db.close()
  }
}

interface ColumnInfo {
  name: string
  pk: number
}

function dumpTable(db: SqliteDatabase.Database, table: string): FixtureTable {
  const info = db.prepare(`select name, pk from pragma_table_info(?)`).all(table)
  const columns = info.filter(isColumnInfo)
  const names = columns.map((column) => column.name)
  const key = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk)
  const order = (key.length > 0 ? key.map((column) => column.name) : names).map(quote)
  const rows = db
    .prepare(
      `select ${names.map(quote).join(', ')} from ${quote(table)} order by ${order.join(', ')}`,
    )
    .raw()
    .all()
  return {
    name: table,
    columns: names,
    rows: rows.map((row) => (Array.isArray(row) ? row.map(storedValueOf) : [])),
  }
}

function isColumnInfo(value: unknown): value is ColumnInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    'name' in value &&
    typeof value.name === 'string' &&
    'pk' in value &&
    typeof value.pk === 'number'
  )
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}
