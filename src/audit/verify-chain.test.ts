import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql, type Updateable } from 'kysely'
import { isAppError } from '../errors.js'
import type { Database, Storage } from '../storage/index.js'
import { describeEachDialect, openTestStorage } from '../storage/testing/dialects.js'
import type { RecordedEntry } from './appender.js'
import type { AuditEntriesTable } from './audit.table.js'
import { type BreakReason, chainEntries, type EntryDraft } from './chain.logic.js'
import { openTestAuditLog, sampleEvent, type TestAuditLog, tamper } from './testing/audit.js'

interface Chain {
  storage: Storage
  log: TestAuditLog
  recorded: RecordedEntry[]
}

describeEachDialect('audit chain verification', (context) => {
  /** A fresh store holding a chain of `length` entries, for one tampering case. */
  async function withChain(length: number, run: (chain: Chain) => Promise<void>): Promise<void> {
    const { storage, cleanup } = await openTestStorage(context.dialect)
    const log = await openTestAuditLog(storage)
    try {
      const recorded: RecordedEntry[] = []
      for (let index = 1; index <= length; index += 1) {
        log.clock.advance(1000)
        recorded.push(await log.audit.record(sampleEvent(index)))
      }
      await run({ storage, log, recorded })
    } finally {
      await log.close()
      await cleanup()
    }
  }

  async function assertBrokenAt(
    chain: Chain,
    expected: { seq: number; reason: BreakReason; id?: string | null; entries?: number },
  ): Promise<void> {
    const report = await chain.log.audit.verify({ pageSize: 7, workers: 1 })
    // The walk split over worker threads (SQLite) must find exactly the same break.
    const split = await chain.log.audit.verify({ pageSize: 3, workers: 3, minEntriesPerWorker: 1 })
    assert.deepEqual(split, report)
    assert.equal(report.ok, false, 'the chain should be reported broken')
    assert.equal(report.firstBroken?.seq, expected.seq, JSON.stringify(report.firstBroken))
    assert.equal(report.firstBroken.reason, expected.reason)
    const id = expected.id === undefined ? chain.recorded[expected.seq - 1]?.id : expected.id
    assert.equal(report.firstBroken.id, id)
    assert.equal(report.entries, expected.entries ?? expected.seq - 1)
  }

  async function rowAt(db: Database, seq: number) {
    return db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow()
  }

  async function updateRow(
    chain: Chain,
    seq: number,
    change: Updateable<AuditEntriesTable>,
  ): Promise<void> {
    await tamper(chain.storage, async (db) =>
      db.updateTable('audit_entries').set(change).where('seq', '=', seq).execute(),
    )
  }

  test('an untouched chain verifies, page by page, with progress', async () => {
    await withChain(20, async (chain) => {
      const progress: number[] = []
      const report = await chain.log.audit.verify({
        pageSize: 7,
        workers: 1,
        onProgress: ({ verified }) => progress.push(verified),
      })
      assert.deepEqual(report.firstBroken, undefined)
      assert.equal(report.ok, true)
      assert.equal(report.entries, 20)
      assert.equal(report.head.seq, 20)
      assert.deepEqual(progress, [7, 14, 20])
      const splitProgress: number[] = []
      const split = await chain.log.audit.verify({
        pageSize: 3,
        workers: 3,
        minEntriesPerWorker: 1,
        onProgress: ({ verified }) => splitProgress.push(verified),
      })
      assert.deepEqual(split, report)
      assert.equal(splitProgress.at(-1), 20)
      assert.deepEqual(
        chain.recorded.map((entry) => entry.seq),
        Array.from({ length: 20 }, (_, index) => index + 1),
      )
    })
  })

  test('an empty log verifies with zero entries', async () => {
    await withChain(0, async (chain) => {
      const report = await chain.log.audit.verify()
      assert.equal(report.ok, true)
      assert.equal(report.entries, 0)
    })
  })

  for (const [label, seq] of [
    ['the first', 1],
    ['a middle', 10],
  ] as const) {
    test(`deleting ${label} entry is reported at its seq`, async () => {
      await withChain(20, async (chain) => {
        await tamper(chain.storage, (db) =>
          db.deleteFrom('audit_entries').where('seq', '=', seq).execute(),
        )
        await assertBrokenAt(chain, { seq, reason: 'sequence gap', id: null })
      })
    })
  }

  test('deleting the last entry is reported by the head, naming that entry', async () => {
    await withChain(20, async (chain) => {
      await tamper(chain.storage, (db) =>
        db.deleteFrom('audit_entries').where('seq', '=', 20).execute(),
      )
      await assertBrokenAt(chain, { seq: 20, reason: 'head mismatch' })
    })
  })

  test('deleting an entry and renumbering the rest to close the gap is reported there', async () => {
    await withChain(20, async (chain) => {
      await tamper(chain.storage, async (db) => {
        await db.deleteFrom('audit_entries').where('seq', '=', 10).execute()
        for (let seq = 11; seq <= 20; seq += 1) {
          await db
            .updateTable('audit_entries')
            .set({ seq: seq - 1 })
            .where('seq', '=', seq)
            .execute()
        }
      })
      await assertBrokenAt(chain, {
        seq: 10,
        reason: 'previous hash mismatch',
        id: chain.recorded[10]!.id,
      })
    })
  })

  test('swapping the contents of two entries is reported at the earlier one', async () => {
    await withChain(20, async (chain) => {
      const fifth = withoutSeq(await rowAt(chain.storage.db, 5))
      const twelfth = withoutSeq(await rowAt(chain.storage.db, 12))
      await updateRow(chain, 5, twelfth)
      await updateRow(chain, 12, fifth)
      await assertBrokenAt(chain, { seq: 5, reason: 'previous hash mismatch', id: twelfth.id })
    })
  })

  test('swapping the seq of two entries (reordering them) is reported at the earlier one', async () => {
    await withChain(20, async (chain) => {
      await updateRow(chain, 5, { seq: 1000 })
      await updateRow(chain, 12, { seq: 5 })
      await updateRow(chain, 1000, { seq: 12 })
      await assertBrokenAt(chain, {
        seq: 5,
        reason: 'previous hash mismatch',
        id: chain.recorded[11]!.id,
      })
    })
  })

  const alterations: [
    string,
    number,
    (row: Awaited<ReturnType<typeof rowAt>>) => Updateable<AuditEntriesTable>,
  ][] = [
    ['action', 7, () => ({ action: 'contact.exported' })],
    ['subject_ref', 8, (row) => ({ subject_ref: flipHex(row.subject_ref ?? '') })],
    ['details', 9, () => ({ details: '{"fields":["name"],"index":9}' })],
    ['at', 11, (row) => ({ at: new Date(Date.parse(row.at) - 3_600_000).toISOString() })],
    ['one byte of ip_sealed', 13, (row) => ({ ip_sealed: flipByte(row.ip_sealed, 20) })],
    ['actor_id', 14, () => ({ actor_id: 'op-9' })],
    ['outcome', 15, () => ({ outcome: 'denied' })],
    ['workspace_id', 16, () => ({ workspace_id: 'ws-b' })],
    ['its own hash', 6, (row) => ({ hash: flipByte(row.hash, 0) })],
  ]
  for (const [field, seq, change] of alterations) {
    test(`altering ${field} of one entry is reported at that entry`, async () => {
      await withChain(20, async (chain) => {
        await updateRow(chain, seq, change(await rowAt(chain.storage.db, seq)))
        await assertBrokenAt(chain, { seq, reason: 'hash mismatch' })
      })
    })
  }

  test('altering the previous-hash link of one entry is reported at that entry', async () => {
    await withChain(20, async (chain) => {
      const row = await rowAt(chain.storage.db, 4)
      await updateRow(chain, 4, { prev_hash: flipByte(row.prev_hash, 31) })
      await assertBrokenAt(chain, { seq: 4, reason: 'previous hash mismatch' })
    })
  })

  test('cutting the tail and moving the head to match is caught by the head seal', async () => {
    await withChain(20, async (chain) => {
      const last = await rowAt(chain.storage.db, 19)
      await tamper(chain.storage, async (db) => {
        await db.deleteFrom('audit_entries').where('seq', '=', 20).execute()
        await db
          .updateTable('audit_chain_head')
          .set({ seq: 19, last_id: last.id, hash: last.hash })
          .execute()
      })
      await assertBrokenAt(chain, { seq: 19, reason: 'head seal invalid', entries: 19 })
    })
  })

  test('rewriting an entry and recomputing every later hash is caught by the head seal', async () => {
    await withChain(20, async (chain) => {
      await tamper(chain.storage, async (db) => {
        // The attacker knows the (public) algorithm; only the head seal needs a key.
        let prevHash = (await rowAt(db, 2)).hash
        for (let seq = 3; seq <= 20; seq += 1) {
          const row = await rowAt(db, seq)
          const action = seq === 3 ? 'contact.exported' : row.action
          const [relinked] = chainEntries({ seq: seq - 1, hash: prevHash }, [
            { ...draftOf(row), action },
          ])
          assert.ok(relinked)
          await db
            .updateTable('audit_entries')
            .set({ action, prev_hash: relinked.prev_hash, hash: relinked.hash })
            .where('seq', '=', seq)
            .execute()
          prevHash = relinked.hash
        }
        await db.updateTable('audit_chain_head').set({ hash: prevHash }).execute()
      })
      await assertBrokenAt(chain, { seq: 20, reason: 'head seal invalid', entries: 20 })
    })
  })

  test('an entry slipped in after the head is reported', async () => {
    await withChain(5, async (chain) => {
      const last = await rowAt(chain.storage.db, 5)
      const [forged] = chainEntries({ seq: 5, hash: last.hash }, [
        { ...draftOf(last), id: '01960000-0000-7000-8000-000000000006' },
      ])
      assert.ok(forged)
      await tamper(chain.storage, (db) => db.insertInto('audit_entries').values(forged).execute())
      await assertBrokenAt(chain, {
        seq: 6,
        reason: 'entry beyond head',
        id: forged.id,
        entries: 5,
      })
    })
  })

  test('the database itself refuses to change or delete an entry', async () => {
    await withChain(3, async (chain) => {
      const { db } = chain.storage
      await assert.rejects(
        db
          .updateTable('audit_entries')
          .set({ action: 'contact.exported' })
          .where('seq', '=', 2)
          .execute(),
        /append-only/,
      )
      await assert.rejects(
        db.deleteFrom('audit_entries').where('seq', '=', 3).execute(),
        /append-only/,
      )
      await assert.rejects(db.deleteFrom('audit_chain_head').execute(), /append-only/)
      if (context.dialect === 'postgres') {
        await assert.rejects(sql`truncate audit_entries`.execute(db), /append-only/)
      }
      assert.equal((await chain.log.audit.verify()).ok, true)
    })
  })

  test('after the head was forged, appends stop instead of sealing over it', async () => {
    await withChain(4, async (chain) => {
      const third = await rowAt(chain.storage.db, 3)
      await tamper(chain.storage, async (db) => {
        await db.deleteFrom('audit_entries').where('seq', '=', 4).execute()
        await db
          .updateTable('audit_chain_head')
          .set({ seq: 3, last_id: third.id, hash: third.hash })
          .execute()
      })
      await assert.rejects(chain.log.audit.record(sampleEvent(5)), (error: unknown) => {
        assert.ok(isAppError(error))
        assert.match(error.message, /integrity check/)
        return true
      })
      const count = await chain.storage.db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow()
      assert.equal(Number(count.n), 3)
      await assertBrokenAt(chain, { seq: 3, reason: 'head seal invalid', entries: 3 })
    })
  })
})

/** A stored row as the appender had it before chaining: no seq, no hashes. */
function draftOf(row: EntryDraft): EntryDraft {
  return {
    id: row.id,
    at: row.at,
    workspace_id: row.workspace_id,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    subject_ref: row.subject_ref,
    purpose: row.purpose,
    outcome: row.outcome,
    request_id: row.request_id,
    ip_sealed: row.ip_sealed,
    details: row.details,
  }
}

function withoutSeq<T extends { seq: unknown }>(row: T): Omit<T, 'seq'> {
  const copy: Partial<T> = { ...row }
  delete copy.seq
  return copy as Omit<T, 'seq'>
}

function flipByte(bytes: Buffer | null, at: number): Buffer {
  assert.ok(bytes !== null)
  const copy = Buffer.from(bytes)
  copy[at] = (copy[at] ?? 0) ^ 0x01
  return copy
}

function flipHex(hex: string): string {
  assert.ok(hex.length > 0)
  return `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`
}
