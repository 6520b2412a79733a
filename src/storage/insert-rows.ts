import { CompiledQuery } from 'kysely'
import { dialectOf } from './column-types.js'
import type { Database } from './database.js'
import type { DB } from './schema.js'

/** A value either driver binds as is: text, numbers, bytes or NULL. */
type Bindable = string | number | Buffer | null

// Rows per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters for
// tables up to 60 columns.
const rowsPerStatement = 500

const texts = new Map<string, string>()

/**
 * Inserts rows with one multi-row INSERT per 500, its SQL text written once per table,
 * column list and row count. For append-heavy tables (the audit log): Kysely's
 * `values()` builds and compiles a node per value, which costs more per row than the
 * database takes to store it. Table and column names come from code, never from input;
 * each row must have a value (possibly null) for every column listed. With
 * `skipConflicts`, rows that would break a unique key are left out (ON CONFLICT DO
 * NOTHING). Returns how many rows were inserted.
 */
export async function insertRows<Table extends keyof DB>(
  db: Database,
  table: Table,
  columns: readonly (keyof DB[Table] & string)[],
  rows: readonly { readonly [Column in keyof DB[Table] & string]?: Bindable }[],
  options: { skipConflicts?: boolean } = {},
): Promise<number> {
  let inserted = 0
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement)
    const parameters: Bindable[] = new Array<Bindable>(chunk.length * columns.length)
    let at = 0
    for (const row of chunk) {
      for (const column of columns) {
        const value = row[column]
        if (value === undefined) throw new Error(`insertRows: a ${table} row has no ${column}`)
        parameters[at] = value
        at += 1
      }
    }
    const text = insertText(db, table, columns, chunk.length, options.skipConflicts === true)
    const result = await db.executeQuery(CompiledQuery.raw(text, parameters))
    inserted += Number(result.numAffectedRows ?? 0n)
  }
  return inserted
}

function insertText(
  db: Database,
  table: string,
  columns: readonly string[],
  rowCount: number,
  skipConflicts: boolean,
): string {
  const dialect = dialectOf(db)
  const key = `${dialect}\0${table}\0${columns.join(',')}\0${String(rowCount)}\0${String(skipConflicts)}`
  const known = texts.get(key)
  if (known !== undefined) return known
  const tuples: string[] = []
  let parameter = 0
  for (let row = 0; row < rowCount; row += 1) {
    const marks = columns.map(() => {
      parameter += 1
      return dialect === 'postgres' ? `$${String(parameter)}` : '?'
    })
    tuples.push(`(${marks.join(', ')})`)
  }
  const quoted = columns.map((column) => `"${column}"`).join(', ')
  const conflicts = skipConflicts ? ' on conflict do nothing' : ''
  const text = `insert into "${table}" (${quoted}) values ${tuples.join(', ')}${conflicts}`
  // Row counts vary with batch sizes; keep the texts of the most recent few hundred.
  if (texts.size >= 1000) texts.clear()
  texts.set(key, text)
  return text
}
