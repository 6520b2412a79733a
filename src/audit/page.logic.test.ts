import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isAppError } from '../errors.js'
import { chainEntries, genesisHash } from './chain.logic.js'
import { decodeCursor, encodeCursor, normalizeTimeBound, toEntryView } from './page.logic.js'

const [entry] = chainEntries({ seq: 0, hash: genesisHash }, [
  {
    id: 'e-1',
    at: '2026-03-01T09:00:00.000Z',
    workspace_id: 'ws-1',
    actor_type: 'api-key',
    actor_id: 'key-1',
    action: 'contact.updated',
    resource_type: 'contact',
    resource_id: 'c-1',
    subject_ref: 'cd'.repeat(32),
    purpose: null,
    outcome: 'succeeded',
    request_id: null,
    ip_sealed: Buffer.from('sealed bytes'),
    details: '{"fields":["name"],"count":2}',
  },
])

function assertInvalid(run: () => unknown): void {
  assert.throws(run, (error: unknown) => isAppError(error) && error.code === 'invalid_request')
}

describe('audit page views', () => {
  test('a view shows what a workspace may see: no sealed bytes, no workspace id', () => {
    assert.ok(entry)
    const view = toEntryView(entry)
    assert.deepEqual(view, {
      seq: 1,
      id: 'e-1',
      at: '2026-03-01T09:00:00.000Z',
      actor: { type: 'api-key', id: 'key-1' },
      action: 'contact.updated',
      resource: { type: 'contact', id: 'c-1' },
      subjectRef: 'cd'.repeat(32),
      purpose: null,
      outcome: 'succeeded',
      requestId: null,
      details: { fields: ['name'], count: 2 },
      hash: entry.hash.toString('hex'),
    })
  })

  test('details that no longer parse (a tampered row) show as none instead of failing', () => {
    assert.ok(entry)
    assert.equal(toEntryView({ ...entry, details: '{"fields":' }).details, null)
    assert.equal(toEntryView({ ...entry, details: '[1,2]' }).details, null)
    assert.deepEqual(toEntryView({ ...entry, details: '{"a":{"b":1},"c":3}' }).details, { c: 3 })
  })

  test('cursors round-trip and anything else is refused', () => {
    for (const seq of [1, 42, 9_007_199_254_740_991])
      assert.equal(decodeCursor(encodeCursor(seq)), seq)
    for (const forged of [
      '',
      'bm90LWEtY3Vyc29y',
      Buffer.from('a1.0').toString('base64url'),
      Buffer.from('a1.-5').toString('base64url'),
      Buffer.from('a1.99999999999999999').toString('base64url'),
    ]) {
      assertInvalid(() => decodeCursor(forged))
    }
  })

  test('time bounds are compared in the stored form', () => {
    assert.equal(
      normalizeTimeBound('2026-03-01T10:00:00+01:00', 'since'),
      '2026-03-01T09:00:00.000Z',
    )
    assertInvalid(() => normalizeTimeBound('not a time', 'until'))
  })
})
