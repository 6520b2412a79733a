import { parentPort, workerData } from 'node:worker_threads'
import { copySqliteStore } from './sqlite-snapshot.js'

/**
 * Runs the SQLite copy on a worker thread (sqlite-snapshot.ts `copyInWorker`): the copy is
 * one step that takes seconds for a large store, and on `serve`'s own thread it would
 * hold every request for that long.
 */
export interface CopyWorkerData {
  readonly sourceFile: string
  readonly directory: string
}

export type CopyWorkerMessage =
  | { readonly type: 'done'; readonly file: string }
  | { readonly type: 'failed'; readonly message: string }

if (parentPort !== null) {
  const port = parentPort
  const data = workerData as CopyWorkerData
  copySqliteStore(data.sourceFile, data.directory).then(
    (file) => {
      port.postMessage({ type: 'done', file } satisfies CopyWorkerMessage)
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error)
      port.postMessage({ type: 'failed', message } satisfies CopyWorkerMessage)
    },
  )
}
