import assert from 'node:assert/strict'
import { createHmac, createSecretKey } from 'node:crypto'
import { describe, test } from 'node:test'
import { computeBlindIndex, normalizeForIndex } from './blind-index.js'

const key = createSecretKey(Buffer.alloc(32, 7))

describe('blind index', () => {
  test('emails are trimmed, NFC-normalised and lower-cased; ids only trimmed', () => {
    assert.equal(
      normalizeForIndex('email', '  Ada.Lovelace@Example.COM \n'),
      'ada.lovelace@example.com',
    )
    // "é" typed as e + combining accent and as one code point index alike.
    assert.equal(normalizeForIndex('email', 'Ren\u0065\u0301@example.com'), 'ren\u00e9@example.com')
    assert.equal(normalizeForIndex('external_id', '  User-ABC-42 '), 'User-ABC-42')
    assert.equal(normalizeForIndex('anonymous_id', '\tanon_XyZ '), 'anon_XyZ')
  })

  test('the digest is HMAC-SHA256 under the index key over the kind prefix and the normalised value', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7))
      .update('custodian/blind-index/v1/email\u0000ada@example.com')
      .digest()
    assert.deepEqual(computeBlindIndex(key, 'email', ' ADA@example.com'), expected)
  })

  test('each kind has its own domain: the same text indexes differently', () => {
    const asEmail = computeBlindIndex(key, 'email', 'abc')
    const asExternal = computeBlindIndex(key, 'external_id', 'abc')
    const asAnonymous = computeBlindIndex(key, 'anonymous_id', 'abc')
    assert.equal(
      new Set([asEmail, asExternal, asAnonymous].map((digest) => digest.toString('hex'))).size,
      3,
    )
  })

  test('another key gives another digest', () => {
    const other = createSecretKey(Buffer.alloc(32, 8))
    assert.notDeepEqual(
      computeBlindIndex(other, 'email', 'ada@example.com'),
      computeBlindIndex(key, 'email', 'ada@example.com'),
    )
  })
})
