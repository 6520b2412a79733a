import assert from 'node:assert/strict'
import { createSecretKey, randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  blindIndexKinds,
  computeBlindIndex,
  normalizeForIndex,
} from '../../../src/crypto/blind-index.js'
import {
  type CellRef,
  envelopeOverhead,
  openPayload,
  type PayloadKind,
  sealPayload,
} from '../../../src/crypto/envelope.js'
import { isEmailAddress, normaliseEmail } from '../../../src/email/index.js'
import { AppError } from '../../../src/errors.js'
import { longRun } from '../long-run.js'
import { propertyOptions } from './options.js'

/**
 * The sealing envelope and the blind index under fast-check (Art. 32(1)(a): encryption;
 * DESIGN.md principle 1). What is sealed opens to the same bytes only in its own cell,
 * under its own key; any change to any byte, or another cell, is refused with the one
 * `sealed_value_invalid` problem, whose message names no value. The index finds every
 * spelling of one value and separates kinds and workspaces.
 */
const options = propertyOptions(longRun ? 5000 : 200)

const part = fc
  .string({ minLength: 1, maxLength: 40, unit: 'binary' })
  .filter((value) => Buffer.byteLength(value, 'utf8') <= 1024)
const cellArbitrary: fc.Arbitrary<CellRef> = fc.record({
  workspaceId: part,
  subjectId: part,
  table: part,
  column: part,
  rowId: part,
})
const kindArbitrary = fc.constantFrom<PayloadKind>('field', 'json')
const plaintextArbitrary = fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes))
const keyBytes = () => randomBytes(32)

function refusal(open: () => unknown): AppError {
  try {
    open()
  } catch (error) {
    assert.ok(error instanceof AppError, `a refusal is an AppError, not ${String(error)}`)
    assert.equal(error.code, 'sealed_value_invalid')
    return error
  }
  assert.fail('an altered envelope opened')
}

describe('sealing envelope under fast-check', () => {
  const key = keyBytes()
  const keyObject = createSecretKey(key)

  test('what is sealed opens to the same bytes in its own cell', () => {
    fc.assert(
      fc.property(
        kindArbitrary,
        cellArbitrary,
        plaintextArbitrary,
        fc.nat(),
        (kind, cell, plain, version) => {
          const sealed = sealPayload(keyObject, version, kind, cell, plain)
          assert.equal(sealed.length, plain.length + envelopeOverhead)
          assert.deepEqual(openPayload(keyObject, kind, cell, sealed), plain)
          // A fresh nonce every time: the same value never seals to the same bytes.
          assert.notDeepEqual(sealPayload(keyObject, version, kind, cell, plain), sealed)
        },
      ),
      options,
    )
  })

  test('any changed byte, any truncation, another cell or key is refused', () => {
    fc.assert(
      fc.property(
        kindArbitrary,
        cellArbitrary,
        cellArbitrary,
        plaintextArbitrary,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (kind, cell, otherCell, plain, position, flip) => {
          const sealed = sealPayload(keyObject, 1, kind, cell, plain)
          const altered = Buffer.from(sealed)
          const at = position % altered.length
          altered[at] = (altered[at] ?? 0) ^ flip
          refusal(() => openPayload(keyObject, kind, cell, altered))
          refusal(() =>
            openPayload(keyObject, kind, cell, sealed.subarray(0, position % sealed.length)),
          )
          if (JSON.stringify(otherCell) !== JSON.stringify(cell)) {
            refusal(() => openPayload(keyObject, kind, otherCell, sealed))
          }
          refusal(() => openPayload(createSecretKey(keyBytes()), kind, cell, sealed))
        },
      ),
      options,
    )
  })

  test('a refusal names the place, never the value, and the envelope holds no clear text', () => {
    fc.assert(
      fc.property(cellArbitrary, fc.stringMatching(/^[a-z0-9@.]{16,64}$/), (cell, secret) => {
        const plain = Buffer.from(secret, 'utf8')
        const sealed = sealPayload(keyObject, 1, 'field', cell, plain)
        assert.equal(sealed.includes(plain), false)
        const altered = Buffer.from(sealed)
        altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1
        const error = refusal(() => openPayload(keyObject, 'field', cell, altered))
        assert.equal(error.message.includes(secret), false)
      }),
      options,
    )
  })
})

describe('blind index normalisation under fast-check', () => {
  const key = createSecretKey(keyBytes())
  const anyText = fc.string({ maxLength: 80, unit: 'binary' })
  const asciiEmail = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9._%+-]{1,20}$/),
      fc.stringMatching(/^[A-Za-z0-9]{1,10}\.[A-Za-z]{2,6}$/),
    )
    .map(([local, domain]) => `${local}@${domain}`)

  test('normalising is total and idempotent for every kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...blindIndexKinds), anyText, (kind, value) => {
        const once = normalizeForIndex(kind, value)
        assert.equal(normalizeForIndex(kind, once), once)
        assert.deepEqual(computeBlindIndex(key, kind, once), computeBlindIndex(key, kind, value))
      }),
      options,
    )
  })

  test('every spelling of one address finds the same index; a valid address stays valid', () => {
    fc.assert(
      fc.property(
        asciiEmail,
        fc.boolean(),
        fc.constantFrom('', ' ', '\t', '\n '),
        (email, upper, pad) => {
          const spelled = `${pad}${upper ? email.toUpperCase() : email.toLowerCase()}${pad}`
          assert.deepEqual(
            computeBlindIndex(key, 'email', spelled),
            computeBlindIndex(key, 'email', email),
          )
          if (isEmailAddress(email)) assert.ok(isEmailAddress(normaliseEmail(email)))
        },
      ),
      options,
    )
  })

  test('kinds and keys are kept apart', () => {
    const otherKey = createSecretKey(keyBytes())
    fc.assert(
      fc.property(anyText, (value) => {
        const digests = blindIndexKinds.map((kind) =>
          computeBlindIndex(key, kind, value).toString('hex'),
        )
        assert.equal(new Set(digests).size, blindIndexKinds.length)
        assert.notDeepEqual(
          computeBlindIndex(otherKey, 'email', value),
          computeBlindIndex(key, 'email', value),
        )
      }),
      options,
    )
  })
})
