import { mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { startModuleWorker } from '../workers.js'
import type { CopyWorkerData, CopyWorkerMessage } from './sqlite-copy-worker.js'

/**
 * A consistent copy of the SQLite store while `serve` writes, through SQLite's online
 * backup API on a connection of its own, then with the subject keys taken out.
 *
 * The copy runs as one step: in WAL mode a reader does not block writers, and one step
 * reads one snapshot of the database, where copying page by page would start again
 * each time another connection commits (and could, under steady writes, never end).
 */
export async function copySqliteStore(sourceFile: string, directory: string): Promise<string> {
  mkdirSync(directory, { recursive: true, mode: 0o700 })
  const copyFile = join(directory, 'snapshot.sqlite')
  const source = new SqliteDatabase(sourceFile, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 5000')
    await source.backup(copyFile, { progress: () => 0x7fffffff })
  } finally {
    source.close()
  }
  withoutSubjectKeys(copyFile)
  return copyFile
}

/**
 * Art. 17: the data keys of subjects are never in a snapshot. They go to the key vault,
 * which is rewritten after every erasure, so an erased person's key is in no file the
 * instance keeps, and their rows in an older snapshot never open again. `secure_delete`
 * overwrites the deleted keys' bytes with zeros; no journal keeps a copy of them.
 */
function withoutSubjectKeys(copyFile: string): void {
  const copy = new SqliteDatabase(copyFile)
  try {
    copy.pragma('journal_mode = OFF')
    copy.pragma('secure_delete = ON')
    copy.exec('delete from subject_keys')
  } finally {
    copy.close()
  }
}

export function fileSize(path: string): number {
  return statSync(path).size
}

/** `copySqliteStore` on a worker thread: this thread (serving requests) goes on meanwhile. */
export function copyInWorker(sourceFile: string, directory: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, 'sqlite-copy-worker', {
      workerData: { sourceFile, directory } satisfies CopyWorkerData,
    })
    let settled = false
    worker.on('message', (message: CopyWorkerMessage) => {
      settled = true
      void worker.terminate()
      if (message.type === 'done') resolve(message.file)
      else reject(new Error(`The SQLite copy failed: ${message.message}`))
    })
    worker.on('error', (error) => {
      settled = true
      reject(error)
    })
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`The SQLite copy stopped (exit ${String(code)})`))
    })
  })
}
