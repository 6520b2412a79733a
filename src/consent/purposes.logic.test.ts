import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  builtInPurpose,
  type Purpose,
  purposeTermsFromText,
  purposeTermsOf,
  purposeTermsText,
} from './purposes.logic.js'

function marketing(): Purpose {
  const purpose = builtInPurpose('marketing')
  if (purpose === undefined) throw new Error('no built-in marketing')
  return purpose
}

test('the same terms give the same text, whatever the operational fields say', () => {
  const text = purposeTermsText(purposeTermsOf(marketing()))
  assert.equal(purposeTermsText(purposeTermsOf(marketing())), text)
  const operational = { ...marketing(), minPolicySeq: 7, updatedAt: '2026-03-01T09:00:00.000Z' }
  assert.equal(purposeTermsText(purposeTermsOf(operational)), text)
  // Key order is fixed by the function, not by how the object was built.
  const { automatedDecisions, ...rest } = purposeTermsOf(marketing())
  assert.equal(purposeTermsText({ automatedDecisions, ...rest }), text)
})

test('any change a person would see gives other terms', () => {
  const text = purposeTermsText(purposeTermsOf(marketing()))
  const changes: Partial<Purpose>[] = [
    { lawfulBasis: 'legitimate-interests' },
    { description: 'Sending you offers.' },
    { dataCategories: ['contact'] },
    { directMarketing: false },
    { automatedDecisions: true },
    { name: 'marketing-2' },
  ]
  for (const change of changes) {
    assert.notEqual(purposeTermsText(purposeTermsOf({ ...marketing(), ...change })), text)
  }
})

test('terms read back from their text are the terms written', () => {
  const terms = purposeTermsOf(marketing())
  assert.deepEqual(purposeTermsFromText(purposeTermsText(terms)), terms)
  for (const broken of [
    '[]',
    'null',
    JSON.stringify({ ...terms, lawfulBasis: 'because' }),
    JSON.stringify({ ...terms, dataCategories: [1] }),
    JSON.stringify({ ...terms, directMarketing: 'yes' }),
  ]) {
    assert.throws(() => purposeTermsFromText(broken), /Purpose terms|array of strings/)
  }
})
