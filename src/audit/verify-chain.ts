import type { Keyring } from '../crypto/keyring.js'
import type { Database } from '../storage/database.js'
import { isHeadSealValid } from './append-entries.js'
import { selectChainRows, selectFirstEntryBeyondHead, selectHead } from './audit.repository.js'
import {
  type ChainBreak,
  type ChainCursor,
  checkHead,
  checkNextRow,
  genesisHashHex,
} from './chain.logic.js'

export interface VerifyProgress {
  verified: number
  /** Entries the head recorded when the walk began. */
  total: number
}

export interface VerifyOptions {
  /** Entries read per query; memory stays bounded by one page. */
  pageSize?: number
  onProgress?: (progress: VerifyProgress) => void
}

export interface VerifyReport {
  ok: boolean
  /** Entries checked and found sound, from the first up to the first break if any. */
  entries: number
  /** The head the walk checked against. Keep it: a copy held elsewhere (a ticket, a
   * notebook) later proves the log was not truncated and rebuilt. */
  head: { seq: number; hash: string }
  firstBroken?: ChainBreak
}

const defaultPageSize = 2000

/**
 * Walks the whole chain, oldest first, one page at a time, and reports the first entry
 * where it does not hold. Appends may run meanwhile (from `serve` or another process):
 * the walk covers the entries up to the head read when it began, and whatever is
 * appended after is left to the next run.
 *
 * Order of checks: every entry (gap, link, hash), then the head against the last entry,
 * then the head's seal (only the master key can make one), then that no entry sits
 * beyond the head.
 */
export async function verifyChain(
  deps: { db: Database; keyring: Keyring },
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? defaultPageSize
  const head = await selectHead(deps.db)
  if (head === undefined) {
    const missing = { seq: 0, hash: genesisHashHex }
    return broken(0, missing, {
      seq: 0,
      id: null,
      reason: 'head mismatch',
      detail: 'the chain head row is missing',
    })
  }
  const headView = { seq: head.seq, hash: head.hash.toString('hex') }
  let cursor: ChainCursor = { seq: 0, hashHex: genesisHashHex, id: null }
  while (cursor.seq < head.seq) {
    const page = await selectChainRows(deps.db, cursor.seq, head.seq, pageSize)
    if (page.length === 0) break
    for (const row of page) {
      const result = checkNextRow(cursor, row)
      if ('broken' in result) return broken(cursor.seq, headView, result.broken)
      cursor = result.cursor
    }
    options.onProgress?.({ verified: cursor.seq, total: head.seq })
  }
  const headBreak = checkHead(cursor, head)
  if (headBreak !== undefined) return broken(cursor.seq, headView, headBreak)
  if (!(await isHeadSealValid(deps.keyring, head))) {
    return broken(cursor.seq, headView, {
      seq: head.seq,
      id: head.lastId,
      reason: 'head seal invalid',
      detail:
        'the head was set without the master key: the chain may have been cut short and recomputed',
    })
  }
  const beyond = await selectFirstEntryBeyondHead(deps.db)
  if (beyond !== undefined) {
    return broken(cursor.seq, headView, {
      seq: beyond.seq,
      id: beyond.id,
      reason: 'entry beyond head',
      detail: `entry ${beyond.seq} was written around the appender: no head covers it`,
    })
  }
  return { ok: true, entries: cursor.seq, head: headView }
}

function broken(
  entries: number,
  head: VerifyReport['head'],
  firstBroken: ChainBreak,
): VerifyReport {
  return { ok: false, entries, head, firstBroken }
}
