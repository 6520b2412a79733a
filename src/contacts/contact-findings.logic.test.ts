import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readDetectionPolicy } from '../detection/index.js'
import { redactContactFindings, scanContact, writtenFields } from './contact-findings.logic.js'
import { newProfileOf } from './contacts.logic.js'

const now = '2026-01-01T00:00:00.000Z'
const defaults = readDetectionPolicy({})
const card = '4111 1111 1111 1111'

describe('scanning a contact', () => {
  test('a card in a string attribute is redacted in place by default; an SSN is flagged only', () => {
    const { profile, fresh } = scanContact(
      newProfileOf({
        email: 'ada@example.com',
        attributes: { note: `paid with ${card}`, tax: 'SSN 536-22-8726', plan: 'pro' },
      }),
      'all',
      defaults,
      now,
    )
    assert.equal(profile.attributes.note, 'paid with [redacted: card]')
    assert.equal(profile.attributes.tax, 'SSN 536-22-8726')
    assert.equal(profile.attributes.plan, 'pro')
    assert.deepEqual(
      fresh.map((finding) => [
        finding.field,
        finding.kind,
        finding.status,
        finding.start,
        finding.end,
      ]),
      [
        ['attributes.note', 'card', 'redacted', 10, 26],
        ['attributes.tax', 'us_ssn', 'flagged', 4, 15],
      ],
    )
    assert.deepEqual(profile.findings, fresh)
    assert.ok(!JSON.stringify(fresh).includes('4111'), 'a finding holds no value')
  })

  test('a card typed as a number is removed; the external id is flagged, never changed', () => {
    const { profile, fresh } = scanContact(
      newProfileOf({ externalId: '4111111111111111', attributes: { pan: 4111111111111111 } }),
      'all',
      defaults,
      now,
    )
    assert.equal(profile.externalId, '4111111111111111')
    assert.equal(Object.hasOwn(profile.attributes, 'pan'), false)
    assert.deepEqual(
      fresh.map((finding) => [finding.field, finding.status]),
      [
        ['externalId', 'flagged'],
        ['attributes.pan', 'redacted'],
      ],
    )
  })

  test("the workspace's threshold decides what is flagged, and auto-redaction follows its kinds", () => {
    const input = { email: 'b@example.com', name: 'Bo', attributes: { note: `card ${card}` } }
    const strict = { detectionThreshold: 0.99, autoRedact: { ...defaults.autoRedact } }
    const high = scanContact(newProfileOf(input), 'all', strict, now)
    assert.equal(high.profile.attributes.note, `card ${card}`, 'below the threshold: kept')
    assert.deepEqual(
      high.fresh.map((finding) => finding.status),
      ['unflagged'],
    )
    const noCards = { ...defaults, autoRedact: { ...defaults.autoRedact, card: false } }
    const kept = scanContact(newProfileOf(input), 'all', noCards, now)
    assert.deepEqual(
      kept.fresh.map((finding) => finding.status),
      ['flagged'],
    )
    const health = { ...defaults, autoRedact: { ...defaults.autoRedact, health: true } }
    const named = scanContact(
      newProfileOf({ email: 'c@example.com', name: 'Cy (pregnant)' }),
      'all',
      health,
      now,
    )
    assert.equal(named.profile.name, 'Cy ([redacted: health])')
  })

  test('an update scans the fields it writes and keeps the findings of the others', () => {
    const first = scanContact(
      newProfileOf({ email: 'd@example.com', attributes: { a: 'SSN 536-22-8726', b: 'pregnant' } }),
      'all',
      defaults,
      now,
    )
    assert.deepEqual(
      first.fresh.map((finding) => finding.field),
      ['attributes.a', 'attributes.b'],
    )
    const change = { attributes: { a: null, c: 'nothing here' } }
    const merged = { ...first.profile, attributes: { b: 'pregnant', c: 'nothing here' } }
    const second = scanContact(merged, writtenFields(change), defaults, '2026-01-02T00:00:00.000Z')
    assert.deepEqual(second.fresh, [])
    assert.deepEqual(
      second.profile.findings.map((finding) => [finding.field, finding.detectedAt]),
      [['attributes.b', now]],
      "the removed attribute's finding goes; the untouched one stays",
    )
  })

  test('an operator’s redaction replaces flagged findings, moves the others, and removes a number', () => {
    const noAuto = { ...defaults, autoRedact: { ...defaults.autoRedact, card: false } }
    const { profile } = scanContact(
      newProfileOf({
        externalId: '4111111111111111',
        name: 'Ann',
        attributes: { note: `SSN 536-22-8726 and ${card}`, pan: 4111111111111111 },
      }),
      'all',
      { ...noAuto, detectionThreshold: 0.72 },
      now,
    )
    assert.deepEqual(
      profile.findings.map((finding) => [finding.field, finding.kind, finding.status]),
      [
        ['externalId', 'card', 'unflagged'],
        ['attributes.note', 'us_ssn', 'flagged'],
        ['attributes.note', 'card', 'unflagged'],
        ['attributes.pan', 'card', 'unflagged'],
      ],
    )
    const flaggedOnly = redactContactFindings(profile, undefined)
    assert.equal(flaggedOnly.profile.attributes.note, `SSN [redacted: us_ssn] and ${card}`)
    const moved = flaggedOnly.profile.findings.find(
      (finding) => finding.kind === 'card' && finding.field === 'attributes.note',
    )
    assert.equal(
      (flaggedOnly.profile.attributes.note as string).slice(moved?.start, moved?.end),
      card,
      'the finding after the placeholder moved with its text',
    )
    const named = redactContactFindings(flaggedOnly.profile, ['attributes.pan', 'attributes.note'])
    assert.equal(named.profile.attributes.note, 'SSN [redacted: us_ssn] and [redacted: card]')
    assert.equal(Object.hasOwn(named.profile.attributes, 'pan'), false)
    assert.equal(named.profile.externalId, '4111111111111111')
    assert.deepEqual(
      named.redacted.map((finding) => finding.field),
      ['attributes.note', 'attributes.pan'],
    )
    assert.deepEqual(redactContactFindings(named.profile, undefined).redacted, [])
  })
})
