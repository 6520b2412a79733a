import assert from 'node:assert/strict'
import { createSecretKey, randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import { isAppError } from '../errors.js'
import {
  type CellRef,
  envelopeOverhead,
  openPayload,
  readEnvelopeHeader,
  sealPayload,
} from './envelope.js'

const key = createSecretKey(randomBytes(32))
const cell: CellRef = {
  workspaceId: 'ws_1',
  subjectId: 'contact_1',
  table: 'contacts',
  column: 'email',
  rowId: 'contact_1',
}
const plaintext = Buffer.from('ada@example.com', 'utf8')

function rejectsAsInvalid(open: () => unknown): void {
  assert.throws(open, (error: unknown) => {
    assert.ok(isAppError(error))
    assert.equal(error.code, 'sealed_value_invalid')
    assert.ok(!error.message.includes('ada@example.com'))
    return true
  })
}

describe('envelope', () => {
  test('a sealed value opens to the same bytes in the same cell', () => {
    const sealed = sealPayload(key, 7, 'field', cell, plaintext)
    assert.deepEqual(openPayload(key, 'field', cell, sealed), plaintext)
  })

  test('the layout is format, kind, key version, nonce, ciphertext, tag', () => {
    const sealed = sealPayload(key, 258, 'json', cell, plaintext)
    assert.equal(sealed.length, envelopeOverhead + plaintext.length)
    assert.equal(sealed[0], 1)
    assert.equal(sealed[1], 2)
    assert.equal(sealed.readUInt32BE(2), 258)
    assert.deepEqual(readEnvelopeHeader(sealed, cell), { kind: 'json', keyVersion: 258 })
    assert.equal(sealed.indexOf(plaintext), -1)
  })

  test('every seal uses a fresh nonce, so equal values give different bytes', () => {
    const nonces = new Set<string>()
    for (let i = 0; i < 2000; i += 1) {
      nonces.add(sealPayload(key, 1, 'field', cell, plaintext).subarray(6, 18).toString('hex'))
    }
    assert.equal(nonces.size, 2000)
  })

  test('changing any single byte makes the value fail to open', () => {
    const sealed = sealPayload(key, 1, 'field', cell, plaintext)
    for (let at = 0; at < sealed.length; at += 1) {
      const tampered = Buffer.from(sealed)
      tampered[at] = (tampered[at] ?? 0) ^ 0x01
      rejectsAsInvalid(() => openPayload(key, 'field', cell, tampered))
    }
  })

  test('a value moved to another workspace, subject, table, column or row fails to open', () => {
    const sealed = sealPayload(key, 1, 'field', cell, plaintext)
    const elsewhere: CellRef[] = [
      { ...cell, workspaceId: 'ws_2' },
      { ...cell, subjectId: 'contact_2' },
      { ...cell, table: 'events' },
      { ...cell, column: 'name' },
      { ...cell, rowId: 'contact_2' },
      // Length prefixes keep shifted boundaries apart: 'ws_1'+'contact_1' vs 'ws_1c'+'ontact_1'.
      { ...cell, workspaceId: 'ws_1c', subjectId: 'ontact_1' },
    ]
    for (const other of elsewhere) rejectsAsInvalid(() => openPayload(key, 'field', other, sealed))
  })

  test('a truncated value, a wrong key or the wrong payload kind fails to open', () => {
    const sealed = sealPayload(key, 1, 'field', cell, plaintext)
    rejectsAsInvalid(() => openPayload(key, 'field', cell, sealed.subarray(0, sealed.length - 1)))
    rejectsAsInvalid(() => openPayload(key, 'field', cell, sealed.subarray(0, 20)))
    rejectsAsInvalid(() => openPayload(createSecretKey(randomBytes(32)), 'field', cell, sealed))
    rejectsAsInvalid(() => openPayload(key, 'json', cell, sealed))
  })

  test('an empty value seals and opens', () => {
    const sealed = sealPayload(key, 1, 'field', cell, Buffer.alloc(0))
    assert.equal(openPayload(key, 'field', cell, sealed).length, 0)
  })

  test('a cell with an empty id is refused before anything is sealed', () => {
    assert.throws(
      () => sealPayload(key, 1, 'field', { ...cell, rowId: '' }, plaintext),
      (error: unknown) => isAppError(error) && error.code === 'invalid_request',
    )
  })
})
