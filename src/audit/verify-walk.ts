import {
  advanceCanonical,
  type CanonicalRow,
  type ChainBreak,
  type ChainCursor,
  checkNextRow,
  type StoredRow,
} from './chain.logic.js'

/** Reads entries `after < seq ≤ upTo`, oldest first, at most `limit`. */
export type ReadRows = (after: number, upTo: number, limit: number) => Promise<StoredRow[]>

/** The same pages as canonical texts; undefined when this store cannot build them. */
export type ReadCanonicalRows = (
  after: number,
  upTo: number,
  limit: number,
) => Promise<CanonicalRow[] | undefined>

export interface PageReaders {
  rows: ReadRows
  /** The fast path (SQLite); every entry it does not accept is checked from `rows`. */
  canonical?: ReadCanonicalRows
}

export interface RangeWalk {
  /** The range's first entry is `start.seq + 1`; `start` is the entry before it. */
  start: ChainCursor
  /** The range's last entry. */
  lastSeq: number
  /** The head's seq: rows are read up to it, so a gap is named by the entry after it. */
  headSeq: number
  pageSize: number
  onPage?: (cursor: ChainCursor) => void
}

export interface RangeReport {
  /** The last entry found sound. */
  cursor: ChainCursor
  broken?: ChainBreak
}

/**
 * Checks the entries of one range of the chain, page by page: each entry's seq, link
 * and hash. The whole chain is one range when walked alone; split into ranges, each
 * walked by its own worker, the ranges together check exactly what one walk would,
 * because each range starts from the stored hash of the entry before it, and that
 * entry is checked by the range it ends.
 *
 * With a canonical reader, pages are read as canonical texts (advanceCanonical). The
 * first entry of a page that the fast check does not accept, or a page the database
 * cannot build texts for (a column holding a value of the wrong type), is read again as
 * stored fields and checked by checkNextRow, which alone reports breaks: the fast path
 * changes how fast a sound chain is walked, never what is reported.
 */
export async function walkRange(readers: PageReaders, walk: RangeWalk): Promise<RangeReport> {
  let cursor = walk.start
  while (cursor.seq < walk.lastSeq) {
    // One row past a gap inside the range is enough to name the entry that follows it.
    const limit = Math.min(walk.pageSize, walk.lastSeq - cursor.seq)
    if (readers.canonical !== undefined) {
      const fast = await readCanonicalPage(readers.canonical, cursor, walk, limit)
      if (fast.done) break
      if (fast.cursor.seq > cursor.seq) {
        cursor = fast.cursor
        walk.onPage?.(cursor)
        continue
      }
    }
    const rows = await readers.rows(cursor.seq, walk.headSeq, limit)
    if (rows.length === 0) break
    for (const row of rows) {
      if (cursor.seq >= walk.lastSeq) break
      const result = checkNextRow(cursor, row)
      if ('broken' in result) return { cursor, broken: result.broken }
      cursor = result.cursor
    }
    walk.onPage?.(cursor)
  }
  return { cursor }
}

/**
 * One page on the fast path: the cursor after the entries it accepted (the cursor it
 * was given when it accepted none), or `done` when no entry is left to read.
 */
async function readCanonicalPage(
  read: ReadCanonicalRows,
  start: ChainCursor,
  walk: RangeWalk,
  limit: number,
): Promise<{ done: boolean; cursor: ChainCursor }> {
  let rows: CanonicalRow[] | undefined
  try {
    rows = await read(start.seq, walk.headSeq, limit)
  } catch {
    // e.g. a blob written into a text column: json_array refuses it. The stored-fields
    // read of the same page reports it (or fails the same way, if the store is broken).
    return { done: false, cursor: start }
  }
  if (rows === undefined) return { done: false, cursor: start }
  if (rows.length === 0) return { done: true, cursor: start }
  let cursor = start
  for (const row of rows) {
    if (cursor.seq >= walk.lastSeq) break
    const next = advanceCanonical(cursor, row)
    if (next === undefined) break
    cursor = next
  }
  return { done: false, cursor }
}
