import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import { releaseLease, takeLease } from './leases.js'

/** A periodic job of some module: what it does and how often. */
export interface Job {
  /** Stable and unique: `rights-reminders`. */
  readonly name: string
  readonly everyMs: number
  /** Longer than any run may take: past it, another process may take the job over. */
  readonly leaseMs: number
  /** Does the work; answers a one-line summary in counts (never personal data). */
  run(): Promise<string>
}

export interface Scheduler {
  /** Runs every job that is due and whose lease this process wins; for tests and the CLI. */
  tick(): Promise<void>
  start(): void
  stop(): Promise<void>
}

/**
 * One scheduler per process for the periodic work of every module. Each run of a job
 * takes its lease in the database first, so with several processes on one database a
 * job runs once per period; a crashed holder's lease lapses and another takes over.
 */
export function createScheduler(deps: {
  db: Database
  clock: Clock
  logger: Logger
  jobs: readonly Job[]
  /** How often to look for due jobs (default 30 s). */
  pollMs?: number
}): Scheduler {
  const holder = randomUUID()
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const runOne = async (job: Job) => {
    const now = deps.clock.now()
    if (!(await takeLease(deps.db, { name: job.name, holder, now, leaseMs: job.leaseMs }))) return
    let result: 'succeeded' | 'failed' = 'succeeded'
    let summary: string
    try {
      summary = await job.run()
    } catch (error) {
      result = 'failed'
      summary = error instanceof Error && 'code' in error ? String(error.code) : 'internal'
      deps.logger.error({ err: error, job: job.name }, 'job failed')
    }
    const finished = deps.clock.now()
    await releaseLease(deps.db, {
      name: job.name,
      holder,
      now: finished,
      nextRunAt: new Date(now.getTime() + job.everyMs),
      result,
      summary,
    })
  }

  const tick = async () => {
    for (const job of deps.jobs) {
      await runOne(job).catch((error: unknown) => {
        deps.logger.error({ err: error, job: job.name }, 'job lease failed')
      })
    }
  }

  return {
    tick: () => {
      running = running.then(tick)
      return running
    },
    start() {
      if (timer !== undefined) return
      timer = setInterval(() => {
        running = running.then(tick)
      }, deps.pollMs ?? 30_000)
      timer.unref()
      running = running.then(tick)
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
      await running
    },
  }
}
