import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactSpans } from './redaction.logic.js'

test('chosen spans become placeholders and every span moves to its new offsets', () => {
  const text = 'card 4111 1111 1111 1111, mail ada@example.com, IBAN DE89370400440532013000.'
  const card = { kind: 'card', start: 5, end: 24 }
  const email = { kind: 'email', start: 31, end: 46 }
  const iban = { kind: 'iban', start: 53, end: 75 }
  const { text: redacted, spans } = redactSpans(text, [iban, card, email], new Set([card, iban]))
  assert.equal(redacted, 'card [redacted: card], mail ada@example.com, IBAN [redacted: iban].')
  const [movedCard, movedEmail, movedIban] = spans
  assert.equal(redacted.slice(movedCard?.start, movedCard?.end), '[redacted: card]')
  assert.equal(redacted.slice(movedEmail?.start, movedEmail?.end), 'ada@example.com')
  assert.equal(redacted.slice(movedIban?.start, movedIban?.end), '[redacted: iban]')
  assert.deepEqual(
    spans.map((span) => span.redacted),
    [true, false, true],
  )
})

test('nothing chosen leaves the text as it was; overlapping spans are refused', () => {
  const span = { kind: 'email', start: 0, end: 3 }
  assert.equal(redactSpans('abc def', [span], new Set()).text, 'abc def')
  assert.throws(() =>
    redactSpans('abcdef', [span, { kind: 'card', start: 2, end: 5 }], new Set([span])),
  )
})
