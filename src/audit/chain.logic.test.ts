import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type ChainCursor,
  type ChainedEntry,
  canonicalEntry,
  chainEntries,
  checkHead,
  checkNextEntry,
  type EntryDraft,
  type EntryFields,
  genesisHash,
  genesisHashHex,
  hashEntry,
  type StoredEntry,
} from './chain.logic.js'

const draft: EntryDraft = {
  id: '01960000-0000-7000-8000-000000000001',
  at: '2026-03-01T09:00:00.000Z',
  workspace_id: 'ws-1',
  actor_type: 'operator',
  actor_id: 'op-1',
  action: 'contact.read',
  resource_type: 'contact',
  resource_id: 'c-1',
  subject_ref: 'ab'.repeat(32),
  purpose: 'support',
  outcome: 'allowed',
  request_id: 'req-1',
  ip_sealed: Buffer.from([1, 2, 3, 250]),
  details: '{"fields":["email"]}',
}

const fields: EntryFields = (() => {
  const { ip_sealed: ip, ...rest } = draft
  return { ...rest, seq: 1, ip_sealed_hex: ip?.toString('hex') ?? null }
})()

/** An entry as the verification walk reads it back from the database. */
function stored(entry: ChainedEntry): StoredEntry {
  const { ip_sealed: ip, prev_hash: prev, hash, ...rest } = entry
  return {
    ...rest,
    ip_sealed_hex: ip === null ? null : ip.toString('hex'),
    prev_hash_hex: prev.toString('hex'),
    hash_hex: hash.toString('hex'),
  }
}

function chainOf(length: number): StoredEntry[] {
  return chainEntries(
    { seq: 0, hash: genesisHash },
    Array.from({ length }, (_, index) => ({ ...draft, id: `e-${index + 1}` })),
  ).map(stored)
}

const start: ChainCursor = { seq: 0, hashHex: genesisHashHex, id: null }

describe('audit hash chain', () => {
  test('the format is pinned: this entry has had this canonical form and hash since v1', () => {
    assert.equal(
      canonicalEntry(genesisHashHex, fields),
      `["custodian/audit/v1","${'0'.repeat(64)}",1,"01960000-0000-7000-8000-000000000001",` +
        '"2026-03-01T09:00:00.000Z","ws-1","operator","op-1","contact.read","contact","c-1",' +
        `"${'ab'.repeat(32)}","support","allowed","req-1","010203fa","{\\"fields\\":[\\"email\\"]}"]`,
    )
    // Checked independently: Python, sha256(json.dumps(fields, separators=(',', ':'))).
    // Changing this hash means every chain already written stops verifying.
    assert.equal(
      hashEntry(genesisHashHex, fields),
      '2230992a1d70720139255ecd2da6384f76939a1631579b2d710c9eee0dba6244',
    )
  })

  test('entries link to the head they were appended after, and to each other', () => {
    const head = { seq: 41, hash: Buffer.alloc(32, 7) }
    const [first, second] = chainEntries(head, [draft, { ...draft, id: 'e-2' }])
    assert.ok(first && second)
    assert.equal(first.seq, 42)
    assert.equal(second.seq, 43)
    assert.deepEqual(first.prev_hash, head.hash)
    assert.deepEqual(second.prev_hash, first.hash)
    assert.equal(first.hash.toString('hex'), hashEntry(head.hash.toString('hex'), stored(first)))
  })

  test('changing any single field, the seq or the link changes the hash', () => {
    const original = hashEntry(genesisHashHex, fields)
    const changed: Partial<EntryFields>[] = [
      { seq: 2 },
      { id: 'other' },
      { at: '2026-03-01T09:00:00.001Z' },
      { workspace_id: null },
      { actor_type: 'api-key' },
      { actor_id: 'op-2' },
      { action: 'contact.exported' },
      { resource_type: null },
      { resource_id: 'c-2' },
      { subject_ref: 'ac'.repeat(32) },
      { purpose: null },
      { outcome: 'denied' },
      { request_id: null },
      { ip_sealed_hex: '010203fb' },
      { ip_sealed_hex: null },
      { details: null },
    ]
    for (const change of changed) {
      const hash = hashEntry(genesisHashHex, { ...fields, ...change })
      assert.notEqual(hash, original, `change ${JSON.stringify(change)}`)
    }
    assert.notEqual(hashEntry('11'.repeat(32), fields), original)
  })

  test('text moved across a field boundary, or null written as "null", hashes differently', () => {
    const a = hashEntry(genesisHashHex, { ...fields, resource_type: 'contact', resource_id: 'c-1' })
    const b = hashEntry(genesisHashHex, { ...fields, resource_type: 'contactc', resource_id: '-1' })
    const c = hashEntry(genesisHashHex, {
      ...fields,
      resource_type: 'contact","c',
      resource_id: '-1',
    })
    assert.notEqual(a, b)
    assert.notEqual(a, c)
    assert.notEqual(
      hashEntry(genesisHashHex, { ...fields, purpose: null }),
      hashEntry(genesisHashHex, { ...fields, purpose: 'null' }),
    )
  })

  test('the walk accepts a sound chain and names gaps, broken links and altered entries', () => {
    const chain = chainOf(4)
    let cursor = start
    for (const entry of chain) {
      const result = checkNextEntry(cursor, entry)
      assert.ok('cursor' in result, JSON.stringify(result))
      cursor = result.cursor
    }
    const head = { seq: 4, hash: Buffer.from(cursor.hashHex, 'hex'), lastId: 'e-4' }
    assert.equal(checkHead(cursor, head), undefined)

    const [first, second] = chain
    assert.ok(first && second)
    assert.deepEqual(checkNextEntry(start, second), {
      broken: {
        seq: 1,
        id: null,
        reason: 'sequence gap',
        detail: 'entry 1 is missing; the next stored entry is 2',
      },
    })
    const relinked = checkNextEntry(start, { ...first, prev_hash_hex: '09'.repeat(32) })
    assert.ok('broken' in relinked && relinked.broken.reason === 'previous hash mismatch')
    const altered = checkNextEntry(start, { ...first, outcome: 'denied' })
    assert.ok('broken' in altered && altered.broken.reason === 'hash mismatch')
    assert.equal(altered.broken.id, 'e-1')
  })

  test('the head must name the last entry walked', () => {
    const [, second, third] = chainOf(3)
    assert.ok(second && third)
    const atThird: ChainCursor = { seq: 3, hashHex: third.hash_hex, id: 'e-3' }
    const head = { seq: 3, hash: Buffer.from(third.hash_hex, 'hex'), lastId: 'e-3' }
    const short = checkHead({ seq: 2, hashHex: second.hash_hex, id: 'e-2' }, head)
    assert.deepEqual([short?.seq, short?.id, short?.reason], [3, 'e-3', 'head mismatch'])
    const otherHash = checkHead(atThird, { ...head, hash: Buffer.alloc(32, 5) })
    assert.equal(otherHash?.reason, 'head mismatch')
    const otherId = checkHead(atThird, { ...head, lastId: 'e-9' })
    assert.equal(otherId?.reason, 'head mismatch')
  })
})
