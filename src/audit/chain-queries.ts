import type { DialectName } from '../storage/index.js'
import { binaryEntryColumns, chainFormat, entryColumns } from './chain.logic.js'

/**
 * The verification walk's page queries as SQL text. Kept apart from the repository so a
 * verification worker loads only this, chain.logic and the driver: a worker that loaded
 * the whole storage layer would take longer to start than it saves on 100k entries.
 */

/** A binary column as lower-case hex text, NULL staying NULL (SQLite's hex(NULL) is ''). */
const hexOf: Record<DialectName, (column: string) => string> = {
  sqlite: (column) => `case when ${column} is null then null else lower(hex(${column})) end`,
  postgres: (column) => `encode(${column}, 'hex')`,
}

function chainRowsTextFor(dialect: DialectName): string {
  const columns = entryColumns.map((column) =>
    binaryEntryColumns.has(column) ? `${hexOf[dialect](column)} as ${column}_hex` : column,
  )
  const [after, upTo, limit] = dialect === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?']
  return `select ${columns.join(', ')} from audit_entries
    where seq > ${after} and seq <= ${upTo} order by seq limit ${limit}`
}

/** The page query of the walk, per dialect (verification workers use SQLite's). */
export const chainRowsText: Readonly<Record<DialectName, string>> = {
  sqlite: chainRowsTextFor('sqlite'),
  postgres: chainRowsTextFor('postgres'),
}

/**
 * The page query of the walk's fast path on SQLite: each entry as a CanonicalRow, its
 * canonical text built by `json_array` over the stored columns (the same order and hex
 * as canonicalEntry), so the walk reads one string per entry and hashes it as is.
 */
export const canonicalRowsText: string = (() => {
  const fields = entryColumns
    .filter((column) => column !== 'hash')
    .map((column) => (binaryEntryColumns.has(column) ? hexOf.sqlite(column) : column))
  // The previous hash comes right after the label, as canonicalEntry has it.
  const prevHash = fields.pop() ?? ''
  return `select seq, id, lower(hex(hash)),
      json_array('${chainFormat}', ${prevHash}, ${fields.join(', ')})
    from audit_entries where seq > ? and seq <= ? order by seq limit ?`
})()
