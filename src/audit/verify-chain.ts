import type { Keyring } from '../crypto/index.js'
import type { Database } from '../storage/index.js'
import { isHeadSealValid } from './append-entries.js'
import { cursorAfter, isAnchorSealValid, selectAnchor } from './anchor.js'
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { withSqliteConnection } from '../storage/index.js'
import {
  selectCanonicalRows,
  selectChainRows,
  selectFirstEntryBeyondHead,
  selectHead,
} from './audit.repository.js'
import type { VerifyWorkerData, VerifyWorkerMessage } from './verify-worker.js'
import { startModuleWorker } from '../workers.js'
import { type RangeReport, type RangeWalk, walkRange } from './verify-walk.js'
import { type ChainBreak, type ChainCursor, checkHead, genesisHashHex } from './chain.logic.js'

export interface VerifyProgress {
  verified: number
  /** Entries the head recorded when the walk began. */
  total: number
}

export interface VerifyOptions {
  /** Entries read per query; memory stays bounded by one page (per worker). */
  pageSize?: number
  onProgress?: (progress: VerifyProgress) => void
  /**
   * Threads that walk a chain in an SQLite file, each its own range: this thread and
   * worker threads for the others (default: one per core, at most 4); 1 walks it on this
   * thread alone. PostgreSQL chains are walked on this thread.
   */
  workers?: number
  /** Below this many entries per thread the walk stays on this thread (default 25,000). */
  minEntriesPerWorker?: number
}

export interface VerifyReport {
  ok: boolean
  /** Entries checked and found sound, from the first up to the first break if any. */
  entries: number
  /** The head the walk checked against. Keep it: a copy held elsewhere (a ticket, a
   * notebook) later proves the log was not truncated and rebuilt. */
  head: { seq: number; hash: string }
  /** Where the walk began when retention removed the oldest entries (audit/anchor.ts). */
  anchor?: { seq: number; hash: string }
  firstBroken?: ChainBreak
}

const defaultPageSize = 2000
const defaultMinEntriesPerWorker = 25_000
const maxDefaultWorkers = 4

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
  // After a retention purge the chain starts at the anchor, which only the master key
  // can seal: a forged one (to hide deleted entries) fails here.
  const anchor = await selectAnchor(deps.db)
  if (anchor !== undefined && !(await isAnchorSealValid(deps.keyring, anchor))) {
    return broken(0, headView, {
      seq: anchor.seq,
      id: anchor.lastId,
      reason: 'anchor seal invalid',
      detail: 'the anchor was set without the master key: entries may have been removed',
    })
  }
  const start = cursorAfter(anchor, genesisCursor)
  const walked = await walkEntries(deps.db, start, head.seq, pageSize, options)
  if (walked.broken !== undefined) {
    return broken(walked.cursor.seq - start.seq, headView, walked.broken)
  }
  const cursor = walked.cursor
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
  return {
    ok: true,
    entries: cursor.seq - start.seq,
    head: headView,
    ...(anchor === undefined
      ? {}
      : { anchor: { seq: anchor.seq, hash: anchor.hash.toString('hex') } }),
  }
}

const genesisCursor: ChainCursor = { seq: 0, hashHex: genesisHashHex, id: null }

/** Every entry up to the head, on this thread or split over worker threads. */
async function walkEntries(
  db: Database,
  start: ChainCursor,
  headSeq: number,
  pageSize: number,
  options: VerifyOptions,
): Promise<RangeReport> {
  const workers = Math.max(
    1,
    Math.min(
      options.workers ?? Math.min(availableParallelism(), maxDefaultWorkers),
      Math.floor(
        (headSeq - start.seq) / (options.minEntriesPerWorker ?? defaultMinEntriesPerWorker),
      ),
    ),
  )
  // Workers read the SQLite file on their own connections; PostgreSQL stays on this thread.
  const path =
    workers > 1 ? await withSqliteConnection(db, (connection) => connection.name) : undefined
  const progress = new Map<number, number>()
  const report = (range: number, seq: number, from: number) => {
    progress.set(range, seq - from)
    let verified = 0
    for (const done of progress.values()) verified += done
    options.onProgress?.({ verified, total: headSeq - start.seq })
  }
  const readers = {
    rows: (after: number, upTo: number, limit: number) => selectChainRows(db, after, upTo, limit),
    canonical: (after: number, upTo: number, limit: number) =>
      selectCanonicalRows(db, after, upTo, limit),
  }
  const walkHere = (walk: RangeWalk, range: number, from: number) =>
    walkRange(readers, {
      ...walk,
      onPage: (cursor) => {
        report(range, cursor.seq, from)
      },
    })
  if (path === undefined) {
    return walkHere({ start, lastSeq: headSeq, headSeq, pageSize }, 0, start.seq)
  }
  const bounds = Array.from(
    { length: workers },
    (_, range) => start.seq + Math.floor(((headSeq - start.seq) * range) / workers),
  )
  // This thread walks the first range while workers walk the others: one worker fewer
  // to start, and this thread would otherwise only wait. Should any range fail, the
  // others stop: a worker left running would hold its read snapshot (and the WAL).
  const stop = new AbortController()
  const reports = await Promise.all(
    bounds.map(async (from, range) => {
      const walk = {
        start: range === 0 ? start : await cursorBefore(db, from),
        lastSeq: bounds[range + 1] ?? headSeq,
        headSeq,
        pageSize,
      }
      if (range === 0) return walkHere(walk, range, from)
      return walkInWorker({ path, walk }, stop.signal, (seq) => {
        report(range, seq, from)
      })
    }),
  ).catch((error: unknown) => {
    stop.abort()
    throw error
  })
  // Ranges in chain order: the first break of the first broken range is the chain's.
  for (const rangeReport of reports) if (rangeReport.broken !== undefined) return rangeReport
  return reports[reports.length - 1] ?? { cursor: start }
}

/** The entry a range starts after, as stored; when it is gone, the range before says so. */
async function cursorBefore(db: Database, from: number): Promise<ChainCursor> {
  if (from === 0) return genesisCursor
  const [row] = await selectChainRows(db, from - 1, from, 1)
  return row !== undefined && row[0] === from
    ? { seq: from, hashHex: row[16], id: row[1] }
    : { seq: from, hashHex: '', id: null }
}

function startWorker(data: VerifyWorkerData): Worker {
  return startModuleWorker(import.meta.url, 'verify-worker', { workerData: data })
}

function walkInWorker(
  data: VerifyWorkerData,
  signal: AbortSignal,
  onPage: (seq: number) => void,
): Promise<RangeReport> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(data)
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', abandon)
      outcome()
      void worker.terminate()
    }
    const abandon = () => {
      settle(() => reject(new Error('audit verification stopped: another range failed')))
    }
    signal.addEventListener('abort', abandon)
    worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.type === 'page') onPage(message.seq)
      else if (message.type === 'done') settle(() => resolve(message.report))
      else settle(() => reject(new Error(`audit verification worker: ${message.message}`)))
    })
    worker.on('error', (error) => {
      settle(() => reject(error))
    })
    worker.on('exit', (code) => {
      settle(() => reject(new Error(`audit verification worker exited with code ${String(code)}`)))
    })
  })
}

function broken(
  entries: number,
  head: VerifyReport['head'],
  firstBroken: ChainBreak,
): VerifyReport {
  return { ok: false, entries, head, firstBroken }
}
