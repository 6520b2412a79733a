import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { detectSensitiveData } from '../../../src/detection/detect.logic.js'
import { redactSpans } from '../../../src/detection/redaction.logic.js'
import { longRun } from '../long-run.js'
import { propertyOptions } from './options.js'

/**
 * The sensitive-data detectors under fast-check: on any text (any code units, digit
 * runs, separators) they answer findings inside the text, ordered, never overlapping,
 * with confidences in range; a valid card number or IBAN written among ordinary words
 * is found, and redacting every finding leaves none of its digits in the text (the
 * inbox's promise to remove sensitive data, Art. 5(1)(c) and 9).
 */
const options = propertyOptions(longRun ? 3000 : 150)

const digitHeavy = fc
  .array(fc.constantFrom('0', '1', '4', '5', '9', ' ', '-', '.', '/', '+', 'DE', '@', 'a', '\n'), {
    maxLength: 200,
  })
  .map((parts) => parts.join(''))
const anyText = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), digitHeavy)
const words = fc
  .array(fc.constantFrom('hello', 'thanks', 'please', 'the', 'order', 'arrived', 'today'), {
    maxLength: 6,
  })
  .map((list) => list.join(' '))

/** A Visa number (issuer 4) completed with its Luhn check digit. */
const cardNumber = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 })
  .map((digits) => {
    const body = [4, ...digits]
    const sum = body
      .slice()
      .reverse()
      .reduce((total, digit, index) => {
        const doubled = index % 2 === 0 ? digit * 2 : digit
        return total + (doubled > 9 ? doubled - 9 : doubled)
      }, 0)
    return `${body.join('')}${(10 - (sum % 10)) % 10}`
  })

/** A German IBAN with its ISO 7064 mod 97-10 check digits. */
const iban = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 })
  .map((digits) => {
    const bban = digits.join('')
    const numeric = BigInt(`${bban}131400`)
    const check = String(98n - (numeric % 97n)).padStart(2, '0')
    return `DE${check}${bban}`
  })

describe('sensitive-data detectors under fast-check', () => {
  test('findings lie inside the text, in order, apart, with confidences in range', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(undefined, 0.5, 0.9), (text, threshold) => {
        const findings = detectSensitiveData(text, threshold === undefined ? {} : { threshold })
        let end = 0
        for (const finding of findings) {
          assert.ok(
            finding.start >= end && finding.start < finding.end && finding.end <= text.length,
          )
          assert.ok(finding.confidence >= (threshold ?? 0.2) && finding.confidence <= 0.99)
          end = finding.end
        }
      }),
      options,
    )
  })

  test('a valid card or IBAN among words is found, and redaction leaves none of it', () => {
    fc.assert(
      fc.property(words, fc.oneof(cardNumber, iban), words, (before, value, after) => {
        const text = `${before} my ${value.startsWith('DE') ? 'iban' : 'card'} is ${value} ${after}`
        const findings = detectSensitiveData(text)
        const at = text.indexOf(value)
        const covering = findings.find(
          (finding) => finding.start <= at && finding.end >= at + value.length,
        )
        assert.ok(covering, `${value} not found in ${JSON.stringify(findings)}`)
        assert.equal(covering.kind, value.startsWith('DE') ? 'iban' : 'card')
        const redacted = redactSpans(text, findings, new Set(findings))
        assert.equal(redacted.text.includes(value), false)
        assert.equal(redacted.text.includes(value.slice(-8)), false)
      }),
      options,
    )
  })
})
