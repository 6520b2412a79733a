import type { Worker } from 'node:worker_threads'
import { startModuleWorker } from '../workers.js'
import type { SealingJob, SealingJobOutput } from './sealing-job.js'
import type { SealingWorkerReply } from './sealing-worker.js'

/**
 * One worker thread that runs sealing jobs in order, started on the first job and
 * restarted after a crash. It holds the process open only while a job is under way, so
 * a CLI run that forgets to close its keyring still exits.
 */
export class BackgroundSealer {
  #worker: Worker | undefined
  #nextId = 0
  readonly #pending = new Map<
    number,
    { resolve: (output: SealingJobOutput) => void; reject: (error: Error) => void }
  >()
  #closed = false

  run(job: SealingJob): Promise<SealingJobOutput> {
    if (this.#closed) return Promise.reject(new Error('The sealing worker is closed'))
    const worker = this.#started()
    const id = this.#nextId
    this.#nextId += 1
    const done = new Promise<SealingJobOutput>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
    })
    worker.ref()
    worker.postMessage({ id, job })
    return done
  }

  async close(): Promise<void> {
    this.#closed = true
    const worker = this.#worker
    this.#worker = undefined
    this.#failAll(new Error('The sealing worker was closed with a job under way'))
    await worker?.terminate()
  }

  #started(): Worker {
    if (this.#worker !== undefined) return this.#worker
    const worker = startModuleWorker(import.meta.url, 'sealing-worker')
    worker.on('message', (reply: SealingWorkerReply) => {
      const waiting = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (this.#pending.size === 0) worker.unref()
      if (waiting === undefined) return
      if ('failed' in reply) waiting.reject(new Error(`Sealing failed: ${reply.failed}`))
      else waiting.resolve(reply.output)
    })
    const lost = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined
      this.#failAll(error)
    }
    worker.on('error', lost)
    worker.on('exit', (code) => {
      lost(new Error(`The sealing worker stopped (exit code ${String(code)})`))
    })
    this.#worker = worker
    return worker
  }

  #failAll(error: Error): void {
    for (const waiting of this.#pending.values()) waiting.reject(error)
    this.#pending.clear()
  }
}
