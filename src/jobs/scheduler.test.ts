import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { ManualClock } from '../clock.js'
import { migrateToLatest, openPostgres, type Storage } from '../storage/index.js'
import { describeEachDialect, dialectSkip, testDatabaseUrl } from '../storage/testing/dialects.js'
import { captureLogs } from '../testing/log-capture.js'
import { listJobRows, takeLease } from './leases.js'
import { createScheduler, type Job } from './scheduler.js'

const minute = 60_000

/** A job that counts its runs and, while running, lets the other scheduler try too. */
function countingJob(name: string, during?: () => Promise<void>): Job & { runs: number } {
  const job = {
    name,
    everyMs: 10 * minute,
    leaseMs: 5 * minute,
    runs: 0,
    async run() {
      job.runs += 1
      await during?.()
      return `run ${String(job.runs)}`
    },
  }
  return job
}

describeEachDialect('the scheduler', (context) => {
  test('records the last run, its result and the next run, and waits for the period', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z')
    const { logger } = captureLogs()
    const job = countingJob('counting-once')
    const failing: Job = {
      name: 'failing-once',
      everyMs: minute,
      leaseMs: minute,
      run: () => Promise.reject(Object.assign(new Error('no'), { code: 'conflict' })),
    }
    const scheduler = createScheduler({
      db: context.storage().db,
      clock,
      logger,
      jobs: [job, failing],
    })
    await scheduler.tick()
    await scheduler.tick()
    assert.equal(job.runs, 1, 'not due again within its period')
    const rows = new Map((await listJobRows(context.storage().db)).map((row) => [row.name, row]))
    assert.equal(rows.get('counting-once')?.last_result, 'succeeded')
    assert.equal(rows.get('counting-once')?.last_summary, 'run 1')
    assert.equal(rows.get('counting-once')?.next_run_at, '2026-03-01T10:10:00.000Z')
    assert.equal(rows.get('failing-once')?.last_result, 'failed')
    assert.equal(rows.get('failing-once')?.last_summary, 'conflict')
    clock.advance(10 * minute)
    await scheduler.tick()
    assert.equal(job.runs, 2)
    await scheduler.stop()
  })
})

// Several processes on one PostgreSQL (DESIGN "Scale path"): two schedulers with their
// own connection pools, as two processes have, over one schema.
describe('two schedulers on one PostgreSQL', { skip: dialectSkip('postgres') }, () => {
  const schema = `test_jobs_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  let first: Storage
  let second: Storage
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  before(async () => {
    await admin(`CREATE SCHEMA ${schema}`)
    first = openPostgres({ connectionString: testDatabaseUrl, schema, maxConnections: 2 })
    second = openPostgres({ connectionString: testDatabaseUrl, schema, maxConnections: 2 })
    await migrateToLatest(first)
  })
  after(async () => {
    await first.close()
    await second.close()
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  })

  test('run a due job once, even when both tick at the same moment', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z')
    const { logger } = captureLogs()
    // While the job runs, a process on either pool asking for its lease is refused.
    const askedWhileRunning: boolean[] = []
    const shared = countingJob('shared-job', async () => {
      for (const db of [first.db, second.db]) {
        askedWhileRunning.push(
          await takeLease(db, {
            name: 'shared-job',
            holder: 'a-third-process',
            now: clock.now(),
            leaseMs: minute,
          }),
        )
      }
    })
    const a = createScheduler({ db: first.db, clock, logger, jobs: [shared] })
    const b = createScheduler({ db: second.db, clock, logger, jobs: [shared] })
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()])
    assert.deepEqual(askedWhileRunning, [false, false])
    assert.equal(shared.runs, 1)
    // After its period it runs once more, whichever scheduler wins.
    clock.advance(10 * minute)
    await Promise.all([a.tick(), b.tick()])
    assert.equal(shared.runs, 2)
    await Promise.all([a.stop(), b.stop()])
  })

  test("a crashed holder's lease lapses and the other scheduler takes the job over", async () => {
    const clock = new ManualClock('2026-03-01T12:00:00Z')
    const { logger } = captureLogs()
    const job = countingJob('crash-job')
    // The first process took the lease and died: nothing releases it.
    assert.ok(
      await takeLease(first.db, {
        name: job.name,
        holder: 'crashed',
        now: clock.now(),
        leaseMs: job.leaseMs,
      }),
    )
    const survivor = createScheduler({ db: second.db, clock, logger, jobs: [job] })
    await survivor.tick()
    assert.equal(job.runs, 0, 'the lease is still live')
    clock.advance(job.leaseMs + 1)
    await survivor.tick()
    assert.equal(job.runs, 1)
    await survivor.stop()
  })
})
