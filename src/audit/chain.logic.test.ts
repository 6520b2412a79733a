import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type ChainedEntry,
  canonicalEntry,
  chainEntries,
  checkHead,
  checkNextEntry,
  type EntryFields,
  genesisHash,
  hashEntry,
} from './chain.logic.js'

const fields: Omit<EntryFields, 'seq'> = {
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

function chainOf(length: number): ChainedEntry[] {
  return chainEntries(
    { seq: 0, hash: genesisHash },
    Array.from({ length }, (_, index) => ({ ...fields, id: `e-${index + 1}` })),
  )
}

describe('audit hash chain', () => {
  test('the format is pinned: this entry has had this canonical form and hash since v1', () => {
    const entry = { ...fields, seq: 1 }
    assert.equal(
      canonicalEntry(entry),
      '["custodian/audit/v1",1,"01960000-0000-7000-8000-000000000001","2026-03-01T09:00:00.000Z",' +
        '"ws-1","operator","op-1","contact.read","contact","c-1","' +
        'ab'.repeat(32) +
        '","support","allowed","req-1","AQID+g==","{\\"fields\\":[\\"email\\"]}"]',
    )
    // Checked independently (Python: sha256(32 zero bytes + json.dumps(fields, separators=(',', ':')))).
    // Changing this hash means every chain already written stops verifying.
    assert.equal(
      hashEntry(genesisHash, entry).toString('hex'),
      'e7673f40f5b10b99f8e08825ece58548860255f5c46ad64e086d80fa5a8f1a08',
    )
  })

  test('entries link to the head they were appended after, and to each other', () => {
    const head = { seq: 41, hash: Buffer.alloc(32, 7) }
    const [first, second] = chainEntries(head, [fields, { ...fields, id: 'e-2' }])
    assert.ok(first && second)
    assert.equal(first.seq, 42)
    assert.equal(second.seq, 43)
    assert.deepEqual(first.prev_hash, head.hash)
    assert.deepEqual(second.prev_hash, first.hash)
    assert.deepEqual(first.hash, hashEntry(head.hash, first))
  })

  test('changing any single field, the seq or the link changes the hash', () => {
    const entry: EntryFields = { ...fields, seq: 5 }
    const original = hashEntry(genesisHash, entry).toString('hex')
    const changed: Partial<EntryFields>[] = [
      { seq: 6 },
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
      { ip_sealed: Buffer.from([1, 2, 3, 251]) },
      { ip_sealed: null },
      { details: null },
    ]
    const hashes = changed.map((change) =>
      hashEntry(genesisHash, { ...entry, ...change }).toString('hex'),
    )
    for (const [index, hash] of hashes.entries()) {
      assert.notEqual(hash, original, `change ${JSON.stringify(changed[index])}`)
    }
    assert.notEqual(hashEntry(Buffer.alloc(32, 1), entry).toString('hex'), original)
  })

  test('text moved across a field boundary, or null written as "null", hashes differently', () => {
    const entry: EntryFields = { ...fields, seq: 1 }
    const a = hashEntry(genesisHash, { ...entry, resource_type: 'contact', resource_id: 'c-1' })
    const b = hashEntry(genesisHash, { ...entry, resource_type: 'contactc', resource_id: '-1' })
    const c = hashEntry(genesisHash, { ...entry, resource_type: 'contact","c', resource_id: '-1' })
    assert.notDeepEqual(a, b)
    assert.notDeepEqual(a, c)
    assert.notDeepEqual(
      hashEntry(genesisHash, { ...entry, purpose: null }),
      hashEntry(genesisHash, { ...entry, purpose: 'null' }),
    )
  })

  test('the walk accepts a sound chain and names gaps, broken links and altered entries', () => {
    const chain = chainOf(4)
    let cursor = { seq: 0, hash: genesisHash, id: null as string | null }
    for (const entry of chain) {
      const result = checkNextEntry(cursor, entry)
      assert.ok('cursor' in result)
      cursor = result.cursor
    }
    assert.equal(checkHead(cursor, { seq: 4, hash: cursor.hash, lastId: 'e-4' }), undefined)

    const start = { seq: 0, hash: genesisHash, id: null }
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
    const relinked = checkNextEntry(start, { ...first, prev_hash: Buffer.alloc(32, 9) })
    assert.ok('broken' in relinked && relinked.broken.reason === 'previous hash mismatch')
    const altered = checkNextEntry(start, { ...first, outcome: 'denied' })
    assert.ok('broken' in altered && altered.broken.reason === 'hash mismatch')
    assert.equal(altered.broken.id, 'e-1')
  })

  test('the head must name the last entry walked', () => {
    const chain = chainOf(3)
    const last = chain[2]
    const third = { seq: 3, hash: last?.hash ?? genesisHash, id: 'e-3' }
    const short = checkHead(
      { seq: 2, hash: chain[1]?.hash ?? genesisHash, id: 'e-2' },
      { seq: 3, hash: third.hash, lastId: 'e-3' },
    )
    assert.deepEqual([short?.seq, short?.id, short?.reason], [3, 'e-3', 'head mismatch'])
    const otherHash = checkHead(third, { seq: 3, hash: Buffer.alloc(32, 5), lastId: 'e-3' })
    assert.equal(otherHash?.reason, 'head mismatch')
    const otherId = checkHead(third, { seq: 3, hash: third.hash, lastId: 'e-9' })
    assert.equal(otherId?.reason, 'head mismatch')
  })
})
