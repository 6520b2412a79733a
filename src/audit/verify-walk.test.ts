import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import type { Storage } from '../storage/index.js'
import { openTestStorage } from '../storage/testing/dialects.js'
import { insertEntries, selectCanonicalRows, selectChainRows } from './audit.repository.js'
import {
  canonicalEntry,
  chainEntries,
  type ChainedEntry,
  type EntryDraft,
  genesisHash,
  genesisHashHex,
} from './chain.logic.js'
import { tamper } from './testing/audit.js'
import { type PageReaders, walkRange } from './verify-walk.js'

// Every escape JSON has, characters either side of them, and text beyond the BMP: the
// database's canonical text must match JSON.stringify's byte for byte on all of them.
const awkward = [
  'quote " backslash \\ slash /',
  Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join(''),
  'delete \u007f, line separator \u2028, paragraph \u2029, BOM \ufeff',
  'accents é ü ß, CJK 漢字, emoji 🧾👩‍⚕️, maths 𝔸',
  '{"fields":["name"],"nested":{"text":"a\\"b"}}',
]

function draft(index: number): EntryDraft {
  const text = awkward[index % awkward.length] ?? ''
  return {
    id: `entry-${String(index)}`,
    at: `2026-03-01T09:00:${String(index % 60).padStart(2, '0')}.000Z`,
    workspace_id: index % 3 === 0 ? null : `ws-${text}`,
    actor_type: 'operator',
    actor_id: index % 4 === 0 ? null : text,
    action: 'contact.read',
    resource_type: 'contact',
    resource_id: text,
    subject_ref: index % 2 === 0 ? null : 'ab'.repeat(32),
    purpose: text,
    outcome: 'allowed',
    request_id: `req-${text}`,
    ip_sealed: index % 2 === 0 ? null : Buffer.from([0, 1, 0xfe, 0xff, index & 255]),
    details: index % 5 === 0 ? null : text,
  }
}

async function withStoredChain(
  length: number,
  run: (storage: Storage, entries: ChainedEntry[]) => Promise<void>,
): Promise<void> {
  const { storage, cleanup } = await openTestStorage('sqlite')
  try {
    const entries = chainEntries(
      { seq: 0, hash: genesisHash },
      Array.from({ length }, (_, index) => draft(index)),
    )
    await insertEntries(storage.db, entries)
    await run(storage, entries)
  } finally {
    await cleanup()
  }
}

/** The walk's readers on the store, counting the pages read as stored fields. */
function countingReaders(storage: Storage): { readers: PageReaders; fieldPages: () => number } {
  let fieldPages = 0
  return {
    readers: {
      rows: (after, upTo, limit) => {
        fieldPages += 1
        return selectChainRows(storage.db, after, upTo, limit)
      },
      canonical: (after, upTo, limit) => selectCanonicalRows(storage.db, after, upTo, limit),
    },
    fieldPages: () => fieldPages,
  }
}

function walkAll(readers: PageReaders, length: number) {
  return walkRange(readers, {
    start: { seq: 0, hashHex: genesisHashHex, id: null },
    lastSeq: length,
    headSeq: length,
    pageSize: 4,
  })
}

test("SQLite's canonical text of an entry is exactly the one its hash was made from", async () => {
  await withStoredChain(30, async (storage, entries) => {
    const rows = await selectCanonicalRows(storage.db, 0, 30, 30)
    assert.ok(rows !== undefined)
    assert.equal(rows.length, 30)
    entries.forEach((entry, index) => {
      const row = rows[index]
      assert.ok(row !== undefined)
      const expected = canonicalEntry(entry.prev_hash.toString('hex'), {
        ...entry,
        ip_sealed_hex: entry.ip_sealed === null ? null : entry.ip_sealed.toString('hex'),
      })
      assert.equal(row[3], expected, `entry ${String(entry.seq)}`)
      assert.deepEqual(row.slice(0, 3), [entry.seq, entry.id, entry.hash.toString('hex')])
    })
  })
})

test('a sound chain is walked on the fast path alone, never reading stored fields', async () => {
  await withStoredChain(30, async (storage, entries) => {
    const { readers, fieldPages } = countingReaders(storage)
    const report = await walkAll(readers, 30)
    assert.equal(report.broken, undefined)
    assert.deepEqual(report.cursor, {
      seq: 30,
      hashHex: entries[29]?.hash.toString('hex'),
      id: 'entry-29',
    })
    assert.equal(fieldPages(), 0)
  })
})

test('an altered entry is checked from its stored fields and reported there', async () => {
  await withStoredChain(30, async (storage) => {
    await tamper(storage, (db) =>
      db.updateTable('audit_entries').set({ purpose: 'marketing' }).where('seq', '=', 13).execute(),
    )
    const { readers, fieldPages } = countingReaders(storage)
    const report = await walkAll(readers, 30)
    assert.equal(report.broken?.seq, 13)
    assert.equal(report.broken.reason, 'hash mismatch')
    assert.equal(report.broken.id, 'entry-12')
    assert.equal(report.cursor.seq, 12)
    assert.ok(fieldPages() > 0)
  })
})

test('a value of the wrong type, which json_array refuses, is still reported', async () => {
  await withStoredChain(30, async (storage) => {
    // A blob where text belongs: the canonical query fails for any page holding it.
    await tamper(storage, (db) =>
      sql`update audit_entries set details = x'00ff' where seq = 21`.execute(db),
    )
    await assert.rejects(selectCanonicalRows(storage.db, 20, 30, 5))
    const { readers } = countingReaders(storage)
    const report = await walkAll(readers, 30)
    assert.equal(report.broken?.seq, 21)
    assert.equal(report.broken.reason, 'hash mismatch')
  })
})

test('when the store cannot build canonical texts, stored fields are walked instead', async () => {
  await withStoredChain(30, async (storage, entries) => {
    const { readers, fieldPages } = countingReaders(storage)
    const report = await walkAll({ ...readers, canonical: () => Promise.resolve(undefined) }, 30)
    assert.equal(report.broken, undefined)
    assert.equal(report.cursor.hashHex, entries[29]?.hash.toString('hex'))
    assert.equal(fieldPages(), 8)
  })
})
