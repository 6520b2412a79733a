import { parentPort } from 'node:worker_threads'
import { isAppError } from '../errors.js'
import { runSealingJob, type SealingJob } from './sealing-job.js'

/** The sealing worker's messages: a job's output, or why it failed. */
export type SealingWorkerReply =
  | { id: number; output: ReturnType<typeof runSealingJob> }
  | { id: number; failed: string; code?: string }

/** Runs sealing jobs (sealing-job.ts) one after another, for background-sealer.ts. */
const port = parentPort
if (port === null) throw new Error('sealing-worker.ts runs as a worker thread')
port.on('message', ({ id, job }: { id: number; job: SealingJob }) => {
  try {
    const output = runSealingJob(job)
    port.postMessage({ id, output } satisfies SealingWorkerReply, [output.bytes])
  } catch (error) {
    // Messages of this module's own errors: no key or value is in them.
    const failed = error instanceof Error ? error.message : String(error)
    const code = isAppError(error) ? error.code : undefined
    port.postMessage({ id, failed, ...(code ? { code } : {}) } satisfies SealingWorkerReply)
  }
})
