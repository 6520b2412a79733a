import type { Worker } from 'node:worker_threads'
import { AppError, isErrorCode } from '../errors.js'
import { startModuleWorker } from '../workers.js'
import type { SealingJob, SealingJobOutput } from './sealing-job.js'
import type { SealingWorkerReply } from './sealing-worker.js'

interface Waiting {
  resolve: (output: SealingJobOutput) => void
  reject: (error: Error) => void
}

/** A worker thread and the jobs handed to it that it has not answered yet. */
interface Running {
  worker: Worker
  pending: Map<number, Waiting>
}

/**
 * One worker thread that runs sealing jobs in order, started on the first job and
 * restarted after a crash. It holds the process open only while a job is under way, so
 * a CLI run that forgets to close its keyring still exits.
 */
export class BackgroundSealer {
  #running: Running | undefined
  #nextId = 0
  #closed = false

  run(job: SealingJob): Promise<SealingJobOutput> {
    if (this.#closed) return Promise.reject(new Error('The sealing worker is closed'))
    const running = this.#started()
    const id = this.#nextId
    this.#nextId += 1
    return new Promise<SealingJobOutput>((resolve, reject) => {
      // Posted first: a job that cannot be posted leaves nothing waiting or referenced.
      running.worker.postMessage({ id, job })
      running.pending.set(id, { resolve, reject })
      running.worker.ref()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    const running = this.#running
    this.#running = undefined
    if (running === undefined) return
    failAll(running, new Error('The sealing worker was closed with a job under way'))
    await running.worker.terminate()
  }

  #started(): Running {
    if (this.#running !== undefined) return this.#running
    const running: Running = {
      worker: startModuleWorker(import.meta.url, 'sealing-worker'),
      pending: new Map(),
    }
    // Referenced only while a job is pending (see run), not from its start.
    running.worker.unref()
    running.worker.on('message', (reply: SealingWorkerReply) => {
      const waiting = running.pending.get(reply.id)
      running.pending.delete(reply.id)
      if (running.pending.size === 0) running.worker.unref()
      if (waiting === undefined) return
      if ('failed' in reply) waiting.reject(failureOf(reply))
      else waiting.resolve(reply.output)
    })
    // Only this worker's jobs fail with it; a replacement started since keeps its own.
    const lost = (error: Error) => {
      if (this.#running === running) this.#running = undefined
      failAll(running, error)
    }
    running.worker.on('error', lost)
    running.worker.on('exit', (code) => {
      lost(new Error(`The sealing worker stopped (exit code ${String(code)})`))
    })
    this.#running = running
    return running
  }
}

function failAll(running: Running, error: Error): void {
  for (const waiting of running.pending.values()) waiting.reject(error)
  running.pending.clear()
}

/** The worker's failure as this thread raises it: an AppError keeps its code (a 400 stays one). */
function failureOf(reply: Extract<SealingWorkerReply, { failed: string }>): Error {
  const message = `Sealing failed: ${reply.failed}`
  return reply.code !== undefined && isErrorCode(reply.code)
    ? new AppError(reply.code, message)
    : new Error(message)
}
