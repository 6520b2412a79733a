import { type ChainBreak, type ChainCursor, checkNextRow, type StoredRow } from './chain.logic.js'

/** Reads entries `after < seq ≤ upTo`, oldest first, at most `limit`. */
export type ReadRows = (after: number, upTo: number, limit: number) => Promise<StoredRow[]>

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
 * and hash (checkNextRow). The whole chain is one range when walked alone; split into
 * ranges, each walked by its own worker, the ranges together check exactly what one
 * walk would, because each range starts from the stored hash of the entry before it,
 * and that entry is checked by the range it ends.
 */
export async function walkRange(readRows: ReadRows, walk: RangeWalk): Promise<RangeReport> {
  let cursor = walk.start
  while (cursor.seq < walk.lastSeq) {
    // One row past a gap inside the range is enough to name the entry that follows it.
    const limit = Math.min(walk.pageSize, walk.lastSeq - cursor.seq)
    const rows = await readRows(cursor.seq, walk.headSeq, limit)
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
