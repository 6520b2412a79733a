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

  test('ASCII emails index byte for byte as they did before international addresses', () => {
    // Digests computed by the code before IDNA normalisation: databases hold these.
    const pinned: [string, string][] = [
      [
        'Ada.Lovelace@Example.COM',
        '5aad70ddfb1037bd3e9ec939fc636d8c2d64386d40d48b21831f13ccb7eb8287',
      ],
      [
        ' grace.hopper+navy@US.Navy.mil\n',
        'e9b88e0328a7d7916ed34249e1876319fad887e186ba43d006783b94f6d6d7a3',
      ],
      [
        "o'brien@xn--bcher-kva.de",
        '68647dba1fe9caa6ae404b6ceb95713e1510765e9c607e65a14253976fb115fe',
      ],
      ['user@XN--BCHER-KVA.DE', 'a27bb2c39703cd641db4b6c6d368c2b1a898aab1013bf1455913ed1e832acc12'],
      ['X@1.2.3.4', '78988866d89fb2ed0704ca456e66b79fae78cc0e16f7125a301c6ae06c911042'],
    ]
    for (const [email, digest] of pinned) {
      assert.equal(computeBlindIndex(key, 'email', email).toString('hex'), digest, email)
    }
    assert.equal(
      normalizeForIndex('email', ' grace.hopper+navy@US.Navy.mil\n'),
      'grace.hopper+navy@us.navy.mil',
    )
  })

  test('an international domain indexes as its A-label: both spellings find one contact', () => {
    const aLabel = computeBlindIndex(key, 'email', 'user@xn--bcher-kva.de')
    assert.deepEqual(computeBlindIndex(key, 'email', 'user@bücher.de'), aLabel)
    assert.deepEqual(computeBlindIndex(key, 'email', 'User@BÜCHER.de'), aLabel)
    assert.deepEqual(
      computeBlindIndex(key, 'email', 'Jose\u0301@example.com'),
      computeBlindIndex(key, 'email', 'josé@example.com'),
    )
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
