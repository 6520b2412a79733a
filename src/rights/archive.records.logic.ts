import { stringify } from 'csv-stringify/sync'
import type { JsonRecord } from '../personal-data/index.js'

/**
 * One collection of records as the files of an archive hold it: a pretty JSON array
 * (the faithful copy) and a CSV twin for spreadsheets (Art. 20(1): a commonly used,
 * machine-readable format). Both are produced in chunks from the records, so a large
 * collection is never one large string.
 */

/** Records turned into text per chunk: big enough to compress well, small enough to stream. */
const recordsPerChunk = 256

/** A source or collection name that is safe as a folder or file name on every system. */
const entryNamePattern = /^[a-z0-9][a-z0-9_-]{0,63}$/

export function isSafeEntryName(name: string): boolean {
  return entryNamePattern.test(name)
}

/** The union of the records' keys, in the order first seen: the CSV and table columns. */
export function columnsOf(records: readonly JsonRecord[]): string[] {
  const columns = new Set<string>()
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (value !== undefined) columns.add(key)
    }
  }
  return [...columns]
}

/** A value as one cell of text: nested objects and arrays as JSON, nothing as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  // NaN and the infinities are null in JSON, so they are empty here too.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value)
}

/** The text of `JSON.stringify(records, null, 2)` and a final newline, in chunks. */
export function* jsonArrayChunks(records: readonly JsonRecord[]): Generator<string> {
  if (records.length === 0) {
    yield '[]\n'
    return
  }
  for (let start = 0; start < records.length; start += recordsPerChunk) {
    const parts = records
      .slice(start, start + recordsPerChunk)
      // A JSON string never holds a raw newline, so every newline is structure to indent.
      .map((record) => `  ${JSON.stringify(record, null, 2).replaceAll('\n', '\n  ')}`)
    yield (start === 0 ? '[\n' : ',\n') + parts.join(',\n')
  }
  yield '\n]\n'
}

/**
 * The CSV text, in chunks: a header of `columns`, then one row per record. A byte-order
 * mark first, so spreadsheet programs read it as UTF-8; rows end in CRLF (RFC 4180).
 * Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or
 * carriage return) get a leading apostrophe (OWASP CSV injection); numbers are left as
 * they are, a negative number being no formula.
 */
export function* csvChunks(
  records: readonly JsonRecord[],
  columns: readonly string[],
): Generator<string> {
  const options = {
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
    // Quote a lone \n or \r too: providing a record delimiter turns this off otherwise.
    quote_record_delimiter: true,
  } as const
  yield stringify([columns.map(cellText)], options)
  for (let start = 0; start < records.length; start += recordsPerChunk) {
    const rows = records
      .slice(start, start + recordsPerChunk)
      .map((record) => columns.map((column) => csvCellOf(record[column])))
    yield stringify(rows, { ...options, bom: false })
  }
}

/** Numbers stay numbers so the formula guard knows `-5` is a number, not a formula. */
function csvCellOf(value: unknown): string | number {
  return typeof value === 'number' && Number.isFinite(value) ? value : cellText(value)
}
