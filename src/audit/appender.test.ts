import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { inWriteTransaction } from '../storage/index.js'
import { isAppError } from '../errors.js'
import type { Storage } from '../storage/index.js'
import {
  describeEachDialect,
  openSecondHandle,
  openTestStorage,
} from '../storage/testing/dialects.js'
import { subjectRefKind } from './seal-entries.js'
import { createLogger } from '../logger.js'
import { openTestAuditLog, sampleEvent, tamper, type TestAuditLog } from './testing/audit.js'

/** Polls `check` until it holds, for what a timer does in the background. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail('the condition never held')
}

describeEachDialect('audit appender', (context) => {
  async function withLog(run: (log: TestAuditLog, storage: Storage) => Promise<void>) {
    const { storage, cleanup } = await openTestStorage(context.dialect)
    const log = await openTestAuditLog(storage)
    try {
      await run(log, storage)
    } finally {
      await log.close()
      await cleanup()
    }
  }

  async function storedSeqs(storage: Storage): Promise<number[]> {
    const rows = await storage.db.selectFrom('audit_entries').select('seq').orderBy('seq').execute()
    return rows.map((row) => Number(row.seq))
  }

  const oneTo = (n: number) => Array.from({ length: n }, (_, index) => index + 1)

  test('many concurrent record() calls make one unbroken chain, each resolved with its place', async () => {
    await withLog(async (log, storage) => {
      const recorded = await Promise.all(
        oneTo(300).map((index) => log.audit.record(sampleEvent(index))),
      )
      assert.deepEqual(
        recorded.map((entry) => entry.seq).sort((a, b) => a - b),
        oneTo(300),
      )
      assert.equal(new Set(recorded.map((entry) => entry.id)).size, 300)
      assert.deepEqual(await storedSeqs(storage), oneTo(300))
      const report = await log.audit.verify()
      assert.equal(report.ok, true)
      assert.equal(report.entries, 300)
    })
  })

  test('verifying while appends commit reports a sound chain, up to the head it started from', async () => {
    await withLog(async (log) => {
      await log.audit.recordMany(oneTo(100).map((index) => sampleEvent(index)))
      const appending = Promise.all(oneTo(200).map((index) => log.audit.record(sampleEvent(index))))
      const reports = await Promise.all([log.audit.verify({ pageSize: 16 }), log.audit.verify()])
      await appending
      for (const report of reports) {
        assert.equal(report.ok, true, JSON.stringify(report.firstBroken))
        assert.ok(report.entries >= 100 && report.entries <= 300)
      }
      assert.equal((await log.audit.verify()).entries, 300)
    })
  })

  test('each entry keeps the time it was recorded at, from the injected clock', async () => {
    await withLog(async (log, storage) => {
      const first = await log.audit.record(sampleEvent(1))
      log.clock.advance(90_000)
      const second = await log.audit.record(sampleEvent(2))
      assert.equal(first.at, '2026-03-01T09:00:00.000Z')
      assert.equal(second.at, '2026-03-01T09:01:30.000Z')
      const row = await storage.db
        .selectFrom('audit_entries')
        .select('at')
        .where('id', '=', second.id)
        .executeTakeFirstOrThrow()
      assert.equal(row.at, second.at)
    })
  })

  test('recordMany commits its events together, in order, next to each other', async () => {
    await withLog(async (log) => {
      const lone = log.audit.record(sampleEvent(0))
      const many = log.audit.recordMany(oneTo(25).map((index) => sampleEvent(index)))
      const [single, batch] = await Promise.all([lone, many])
      const seqs = batch.map((entry) => entry.seq)
      const firstSeq = seqs[0]!
      assert.deepEqual(
        seqs,
        oneTo(25).map((index) => firstSeq + index - 1),
      )
      assert.ok(!seqs.includes(single.seq))
      assert.equal((await log.audit.verify()).entries, 26)
    })
  })

  test('a bad event is refused alone; the events queued with it are recorded', async () => {
    await withLog(async (log, storage) => {
      const results = await Promise.allSettled([
        log.audit.record(sampleEvent(1)),
        log.audit.record({ ...sampleEvent(2), details: { contact: 'ada@example.com' } }),
        log.audit.record(sampleEvent(3)),
      ])
      assert.deepEqual(
        results.map((result) => result.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      )
      const refusal = results[1]
      assert.ok(refusal.status === 'rejected')
      assert.ok(isAppError(refusal.reason))
      assert.equal(refusal.reason.code, 'invalid_request')
      assert.doesNotMatch(refusal.reason.message, /ada@example\.com/)
      assert.deepEqual(await storedSeqs(storage), [1, 2])
    })
  })

  test('two handles on one database appending interleaved keep one chain', async () => {
    await withLog(async (first, storage) => {
      const otherStorage = openSecondHandle(storage)
      const second = await openTestAuditLog(otherStorage)
      try {
        for (let index = 1; index <= 60; index += 1) {
          await (index % 2 === 0 ? first : second).audit.record(sampleEvent(index))
        }
        if (storage.dialect === 'postgres') {
          // The pg driver is asynchronous, so both handles can also wait on the head's
          // row lock at the same moment within this one process.
          await Promise.all(
            oneTo(100).map((index) =>
              index % 3 === 0
                ? second.audit.recordMany([sampleEvent(index), sampleEvent(index + 1)])
                : first.audit.record(sampleEvent(index)),
            ),
          )
        }
        const total = storage.dialect === 'postgres' ? 60 + 67 + 66 : 60
        assert.deepEqual(await storedSeqs(storage), oneTo(total))
        for (const log of [first, second]) {
          const report = await log.audit.verify()
          assert.equal(report.ok, true, JSON.stringify(report.firstBroken))
          assert.equal(report.entries, total)
        }
      } finally {
        await second.close()
        await otherStorage.close()
      }
    })
  })

  test('another process appending at the same time keeps one chain', async () => {
    await withLog(async (log, storage) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./testing/append-process.ts', import.meta.url))],
        {
          env: {
            ...process.env,
            AUDIT_TEST_COUNT: '200',
            ...(storage.dialect === 'sqlite'
              ? { AUDIT_TEST_DATA_DIR: dirname(storage.location) }
              : { AUDIT_TEST_PG_SCHEMA: storage.schema }),
          },
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      )
      const exit = once(child, 'exit')
      const lines = createInterface({ input: child.stdout })
      const [ready] = (await once(lines, 'line')) as [string]
      assert.equal(ready, 'ready')
      const theirOutput = once(lines, 'line')
      // Both processes start appending now.
      child.stdin.end('go\n')
      const ours: number[] = []
      for (let wave = 0; wave < 20; wave += 1) {
        const recorded = await Promise.all(
          oneTo(10).map((index) => log.audit.record(sampleEvent(index))),
        )
        ours.push(...recorded.map((entry) => entry.seq))
      }
      const [output] = (await theirOutput) as [string]
      assert.deepEqual(await exit, [0, null])
      const theirs = JSON.parse(output) as number[]
      assert.equal(theirs.length, 200)
      const all = [...ours, ...theirs].sort((a, b) => a - b)
      assert.deepEqual(all, oneTo(400))
      assert.deepEqual(await storedSeqs(storage), all)
      const report = await log.audit.verify()
      assert.equal(report.ok, true, JSON.stringify(report.firstBroken))
      assert.equal(report.entries, 400)
    })
  })

  test('close() waits for queued events to commit, then refuses new ones', async () => {
    const { storage, cleanup } = await openTestStorage(context.dialect)
    const log = await openTestAuditLog(storage)
    try {
      const pending = oneTo(50).map((index) => log.audit.record(sampleEvent(index)))
      await log.audit.close()
      assert.deepEqual(await storedSeqs(storage), oneTo(50))
      assert.equal((await Promise.all(pending)).length, 50)
      await assert.rejects(log.audit.record(sampleEvent(51)), (error: unknown) => {
        assert.ok(isAppError(error))
        assert.equal(error.code, 'unavailable')
        return true
      })
    } finally {
      await log.keyring.close()
      await cleanup()
    }
  })

  test('recordSoon returns before its entries commit; they share one write, and a flush writes them', async () => {
    await withLog(async (_log, storage) => {
      // The timer would write them within the minute: this test looks before it fires.
      const soon = await openTestAuditLog(storage, { soonDelayMs: 60_000 })
      try {
        for (const index of oneTo(100)) await soon.audit.recordSoon([sampleEvent(index)])
        assert.deepEqual(await storedSeqs(storage), [], 'queued, not yet written')
        await soon.audit.flush()
        assert.deepEqual(await storedSeqs(storage), oneTo(100))
        assert.equal((await soon.audit.verify()).ok, true)
      } finally {
        await soon.close()
      }
    })
  })

  test('recordSoon entries are written by their timer, or with the next awaited record', async () => {
    await withLog(async (_log, storage) => {
      const timed = await openTestAuditLog(storage, { soonDelayMs: 1 })
      try {
        await timed.audit.recordSoon([sampleEvent(1), sampleEvent(2)])
        await eventually(async () => (await storedSeqs(storage)).length === 2)
      } finally {
        await timed.close()
      }
      const slow = await openTestAuditLog(storage, { soonDelayMs: 60_000 })
      try {
        await slow.audit.recordSoon([sampleEvent(3)])
        const awaited = await slow.audit.record(sampleEvent(4))
        assert.equal(awaited.seq, 4, 'the queued entry went first, in the same write')
        assert.deepEqual(await storedSeqs(storage), oneTo(4))
      } finally {
        await slow.close()
      }
    })
  })

  test('recordSoon checks each event at once and pushes back on a full queue, never dropping', async () => {
    await withLog(async (_log, storage) => {
      // maxBatch 2: at most 10 recordSoon entries wait before callers have to.
      const small = await openTestAuditLog(storage, { soonDelayMs: 60_000, maxBatch: 2 })
      try {
        await assert.rejects(
          // @ts-expect-error: an action outside the catalogue, as an untyped caller could send
          small.audit.recordSoon([{ ...sampleEvent(1), action: 'Not An Action' }]),
          (error: unknown) => isAppError(error) && error.code === 'invalid_request',
        )
        for (const index of oneTo(25)) await small.audit.recordSoon([sampleEvent(index)])
        const written = (await storedSeqs(storage)).length
        assert.ok(written >= 15 && written < 25, `${String(written)} written under back-pressure`)
        await small.audit.close()
        assert.deepEqual(await storedSeqs(storage), oneTo(25), 'close() wrote the rest')
      } finally {
        await small.close()
      }
    })
  })

  test('close() writes the recordSoon entries of callers waiting for the full queue to drain', async () => {
    await withLog(async (_log, storage) => {
      // maxBatch 1: at most 5 recordSoon entries wait before callers have to.
      const small = await openTestAuditLog(storage, { soonDelayMs: 60_000, maxBatch: 1 })
      try {
        for (const index of oneTo(4)) await small.audit.recordSoon([sampleEvent(index)])
        // These fill the queue: their callers wait for it to drain, and close() comes meanwhile.
        const held = [5, 6].map((index) => small.audit.recordSoon([sampleEvent(index)]))
        await small.audit.close()
        assert.deepEqual(await storedSeqs(storage), oneTo(6), 'nothing left behind by close()')
        await Promise.all(held)
      } finally {
        await small.close()
      }
    })
  })

  test('a recordSoon write that fails is logged without its contents', async () => {
    await withLog(async (_log, storage) => {
      const lines: string[] = []
      const logger = createLogger({
        level: 'error',
        destination: { write: (line: string) => lines.push(line) },
      })
      const soon = await openTestAuditLog(storage, { soonDelayMs: 60_000, logger })
      try {
        await soon.audit.record(sampleEvent(1))
        // Someone moves the head: appends stop, loudly, until an administrator has looked.
        await tamper(storage, (db) => db.updateTable('audit_chain_head').set({ seq: 7 }).execute())
        await soon.audit.recordSoon([sampleEvent(2)])
        await soon.audit.flush()
        assert.deepEqual(await storedSeqs(storage), [1])
        assert.ok(lines.some((line) => line.includes('queued audit entries were not recorded')))
        for (const line of lines) assert.doesNotMatch(line, /203\.0\.113|"c-2"|req-2/)
      } finally {
        await soon.close()
      }
    })
  })

  test('recordInTransaction commits and rolls back with the caller’s transaction', async () => {
    await withLog(async (log, storage) => {
      await log.audit.record(sampleEvent(1))
      // Actors and subjects never seen before: their keys are made by prepare().
      const rolledBack = await log.audit.prepare([sampleEvent(2, 'ws-new'), sampleEvent(3)])
      await assert.rejects(
        inWriteTransaction(storage.db, async (trx) => {
          await log.audit.recordInTransaction(trx, rolledBack)
          throw new Error('the change failed after its audit entries were written')
        }),
        /change failed/,
      )
      assert.deepEqual(await storedSeqs(storage), [1])
      const prepared = await log.audit.prepare([sampleEvent(4, 'ws-other')])
      const kept = await inWriteTransaction(storage.db, (trx) =>
        log.audit.recordInTransaction(trx, prepared),
      )
      assert.deepEqual(
        kept.map((entry) => entry.seq),
        [2],
      )
      await log.audit.record(sampleEvent(5))
      const report = await log.audit.verify()
      assert.equal(report.ok, true)
      assert.equal(report.entries, 3)
      await assert.rejects(
        inWriteTransaction(storage.db, (trx) => log.audit.recordInTransaction(trx, prepared)),
        /already recorded/,
      )
      if (storage.dialect === 'postgres') {
        const outside = await log.audit.prepare([sampleEvent(6)])
        await assert.rejects(
          log.audit.recordInTransaction(storage.db, outside),
          /needs a transaction/,
        )
      }
    })
  })

  test('a subject seen again gets the same ref from the cache, the one its index key gives', async () => {
    await withLog(async (log, storage) => {
      const first = { ...sampleEvent(1), subjectId: 'contact-1' }
      for (const event of [first, { ...first, workspaceId: 'ws-b' }, first, first]) {
        await log.audit.record(event)
      }
      const rows = await storage.db
        .selectFrom('audit_entries')
        .select('subject_ref')
        .orderBy('seq')
        .execute()
      const expectedA = await log.keyring.blindIndexHex('ws-a', subjectRefKind, 'contact-1')
      const expectedB = await log.keyring.blindIndexHex('ws-b', subjectRefKind, 'contact-1')
      assert.deepEqual(
        rows.map((row) => row.subject_ref),
        [expectedA, expectedB, expectedA, expectedA],
      )
    })
  })

  test('the data subject and the IP are never stored in clear; the subject can still be found', async () => {
    await withLog(async (log, storage) => {
      const subjectId = 'contact-7f3a9c'
      const ip = '198.51.100.77'
      const event = { ...sampleEvent(1), subjectId, ip, resource: { type: 'contact', id: 'r-1' } }
      await log.audit.record(event)
      await log.audit.record({ ...event, workspaceId: 'ws-b' })
      await log.audit.record({ ...event, subjectId: 'contact-other' })
      await log.audit.flush()
      const rows = await storage.db.selectFrom('audit_entries').selectAll().execute()
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value)
          assert.ok(!text.includes(subjectId), `subject id in clear in ${column}`)
          assert.ok(!text.includes(ip), `IP in clear in ${column}`)
        }
      }
      // The same subject has the same ref in its workspace, another in another workspace.
      const [inA, inB, other] = rows.map((row) => row.subject_ref)
      assert.match(inA ?? '', /^[0-9a-f]{64}$/)
      assert.notEqual(inA, inB)
      assert.notEqual(inA, other)
      const found = await log.audit.listEntries('ws-a', { subjectId })
      assert.deepEqual(
        found.entries.map((entry) => entry.seq),
        [1],
      )
      if (storage.dialect === 'sqlite') {
        const { readFileSync, existsSync } = await import('node:fs')
        for (const file of [storage.location, `${storage.location}-wal`]) {
          if (!existsSync(file)) continue
          const bytes = readFileSync(file)
          assert.equal(bytes.indexOf(subjectId), -1, `subject id in clear in ${file}`)
          assert.equal(bytes.indexOf(ip), -1, `IP in clear in ${file}`)
        }
      }
    })
  })
})
