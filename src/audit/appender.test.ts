import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { inWriteTransaction } from '../storage/write-transaction.js'
import { isAppError } from '../errors.js'
import type { Storage } from '../storage/database.js'
import {
  describeEachDialect,
  openSecondHandle,
  openTestStorage,
} from '../storage/testing/dialects.js'
import { subjectRefKind } from './seal-entries.js'
import { openTestAuditLog, sampleEvent, type TestAuditLog } from './testing/audit.js'

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
