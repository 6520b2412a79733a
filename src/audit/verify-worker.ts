import { parentPort, workerData } from 'node:worker_threads'
import SqliteDatabase from 'better-sqlite3'
import { sqliteMmapBytes } from '../storage/index.js'
import { canonicalRowsText, chainRowsText } from './chain-queries.js'
import type { CanonicalRow, StoredRow } from './chain.logic.js'
import { type RangeWalk, walkRange } from './verify-walk.js'

/** What `verifyChain` hands a worker: one range of the chain in one SQLite file. */
export interface VerifyWorkerData {
  path: string
  walk: Omit<RangeWalk, 'onPage'>
}

/** A worker's messages: a progress tick per page, then its report (or an error). */
export type VerifyWorkerMessage =
  | { type: 'page'; seq: number }
  | { type: 'done'; report: Awaited<ReturnType<typeof walkRange>> }
  | { type: 'failed'; message: string }

/**
 * A verification worker: walks one range of the chain on its own read-only connection
 * to the SQLite file, so reading and hashing run on another core. WAL lets it read
 * while the server writes; entries up to the head never change (triggers refuse it).
 */
async function run(port: NonNullable<typeof parentPort>, data: VerifyWorkerData): Promise<void> {
  const connection = new SqliteDatabase(data.path, { readonly: true, fileMustExist: true })
  try {
    connection.pragma('busy_timeout = 5000')
    connection.pragma(`mmap_size = ${String(sqliteMmapBytes)}`)
    const rows = connection.prepare(chainRowsText.sqlite).raw(true)
    const canonical = connection.prepare(canonicalRowsText).raw(true)
    const report = await walkRange(
      {
        rows: (after, upTo, limit) => Promise.resolve(rows.all(after, upTo, limit) as StoredRow[]),
        canonical: (after, upTo, limit) =>
          Promise.resolve(canonical.all(after, upTo, limit) as CanonicalRow[]),
      },
      {
        ...data.walk,
        onPage: (cursor) => {
          port.postMessage({ type: 'page', seq: cursor.seq } satisfies VerifyWorkerMessage)
        },
      },
    )
    port.postMessage({ type: 'done', report } satisfies VerifyWorkerMessage)
  } finally {
    connection.close()
  }
}

if (parentPort !== null) {
  const port = parentPort
  run(port, workerData as VerifyWorkerData).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    port.postMessage({ type: 'failed', message } satisfies VerifyWorkerMessage)
  })
}
