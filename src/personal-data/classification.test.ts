import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { openTestKeyring } from '../crypto/testing/keyring.js'
import { createRegistryOfModules } from '../personal-data-sources.js'
import type { Storage } from '../storage/index.js'
import type { DB } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { type TableClass, tableClassification } from './classification.js'

// A checked example: a classification that misses a table of the database type does
// not compile. Should it ever compile, the directive itself fails the type check.
export const incomplete = {
  instance: { personal: false, module: 'storage', why: 'an example' },
  // @ts-expect-error -- `tracking_events` (and every other table) is not classified here
} satisfies Record<keyof DB, TableClass>

async function binaryColumns(storage: Storage): Promise<[string, string][]> {
  if (storage.dialect === 'postgres') {
    const rows = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type = 'bytea'`.execute(storage.db)
    return rows.rows.map((row) => [row.table_name, row.column_name])
  }
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
      and name not like 'kysely_%'`.execute(storage.db)
  const found: [string, string][] = []
  for (const { name } of tables.rows) {
    const columns = await sql<{ name: string; type: string }>`
      select name, type from pragma_table_info(${name})`.execute(storage.db)
    for (const column of columns.rows) {
      if (column.type.toLowerCase() === 'blob') found.push([name, column.name])
    }
  }
  return found
}

describeEachDialect('the table classification', (context) => {
  test('every table the migrations make is classified, and nothing else is', async () => {
    const storage = context.storage()
    const tables =
      storage.dialect === 'postgres'
        ? (
            await sql<{ name: string }>`select table_name as name from information_schema.tables
              where table_schema = current_schema() and table_name not like 'kysely_%'`.execute(
              storage.db,
            )
          ).rows
        : (
            await sql<{ name: string }>`select name from sqlite_master where type = 'table'
              and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(storage.db)
          ).rows
    assert.deepEqual(tables.map((row) => row.name).sort(), Object.keys(tableClassification).sort())
  })

  test('every binary column is declared sealed, or exempt with a reason', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const registry = createRegistryOfModules({ db: storage.db, keyring })
    const declared = new Map<string, string>()
    for (const source of registry.sources) {
      for (const table of source.tables) {
        for (const column of table.sealed?.columns ?? [])
          declared.set(`${table.name}.${column}`, 'sealed')
        for (const [column, why] of Object.entries(table.otherBinary ?? {})) {
          declared.set(`${table.name}.${column}`, why)
        }
      }
    }
    for (const [name, kind] of Object.entries(tableClassification) as [string, TableClass][]) {
      if (kind.personal) continue
      for (const [column, why] of Object.entries(kind.binary ?? {}))
        declared.set(`${name}.${column}`, why)
    }
    const columns = await binaryColumns(storage)
    assert.ok(columns.length > 10)
    const undeclared = columns
      .map(([table, column]) => `${table}.${column}`)
      .filter((column) => !declared.has(column))
    assert.deepEqual(undeclared, [])
  })
})
