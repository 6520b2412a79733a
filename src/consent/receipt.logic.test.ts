import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LedgerEvent } from './ledger.rows.js'
import { builtInPurpose, type Purpose, purposeTermsOf } from './purposes.logic.js'
import { buildReceipt, type ConsentReceipt } from './receipt.logic.js'
import { receiptSchemaValidator } from './testing/consent.js'

const event: LedgerEvent = {
  id: '019b0000-0000-7000-8000-000000000001',
  subjectId: '019b0000-0000-7000-8000-0000000000aa',
  seq: 3,
  action: 'granted',
  purpose: 'marketing',
  granted: true,
  policyVersion: '2026-03',
  source: 'sdk',
  gpc: false,
  recordedAt: '2026-03-01T09:00:00.000Z',
  purposeTermsSha256: 'b'.repeat(64),
}

function purposeNamed(name: string): Purpose {
  const purpose = builtInPurpose(name)
  if (purpose === undefined) throw new Error(`no built-in ${name}`)
  return purpose
}

function receiptOf(overrides: Partial<LedgerEvent> = {}, purpose = purposeNamed('marketing')) {
  return buildReceipt({
    event: { ...event, ...overrides },
    terms: purposeTermsOf(purpose),
    policy: { url: 'https://example.com/privacy', textSha256: 'a'.repeat(64) },
    controller: { name: 'Acme Ltd', region: 'eu' },
    proofHeld: { ip: true, userAgent: false },
  })
}

describe('consent receipts', () => {
  const validate = receiptSchemaValidator()

  test('a grant is a Kantara-shaped receipt that validates against the schema in the repository', () => {
    const receipt = receiptOf()
    assert.ok(validate(receipt), JSON.stringify(validate.errors))
    assert.equal(receipt.version, 'KI-CR-v1.1.0')
    assert.equal(receipt.jurisdiction, 'EU')
    assert.equal(receipt.consentTimestamp, Date.parse(event.recordedAt) / 1000)
    assert.equal(receipt.consentReceiptID, event.id)
    assert.equal(receipt.piiPrincipalId, event.subjectId)
    assert.deepEqual(receipt.services[0]?.purposes[0]?.purposeCategory, ['marketing'])
    assert.deepEqual(receipt.custodian.proofHeld, ['time', 'source', 'ip'])
    assert.equal(receipt.custodian.lawfulBasisArticle, 'Art. 6(1)(a)')
  })

  test('withdrawals, objections and consents without a policy validate too', () => {
    const legitimate: Purpose = {
      ...purposeNamed('analytics'),
      lawfulBasis: 'legitimate-interests',
    }
    const variants: ConsentReceipt[] = [
      receiptOf({ action: 'withdrawn', granted: false, gpc: true }),
      receiptOf({ action: 'objected', granted: null, source: 'api' }, legitimate),
      receiptOf({ action: 'objection_withdrawn', granted: null, source: 'operator' }, legitimate),
      buildReceipt({
        event: { ...event, policyVersion: null, purposeTermsSha256: null },
        terms: purposeTermsOf(purposeNamed('analytics')),
        policy: null,
        controller: { name: 'Acme Ltd', region: 'eu' },
        proofHeld: { ip: false, userAgent: false },
      }),
    ]
    for (const receipt of variants) assert.ok(validate(receipt), JSON.stringify(validate.errors))
    assert.deepEqual(
      variants.map((receipt) => receipt.custodian.granted),
      [false, false, true, true],
    )
    assert.equal(variants[3]?.policyUrl, null)
  })

  test('the schema refuses what a receipt must not be (so passing it means something)', () => {
    const good = receiptOf()
    const broken: unknown[] = [
      { ...good, piiPrincipalId: 'ada@example.com' },
      { ...good, consentReceiptID: 'not-a-uuid' },
      { ...good, services: [] },
      { ...good, custodian: { ...good.custodian, action: 'age_declared' } },
      { ...good, custodian: { ...good.custodian, ip: '203.0.113.5' } },
      { ...good, consentTimestamp: '2026-03-01' },
      { ...good, custodian: { ...good.custodian, purposeTermsSha256: 'not-a-digest' } },
      Object.fromEntries(Object.entries(good).filter(([key]) => key !== 'policyUrl')),
    ]
    for (const candidate of broken)
      assert.equal(validate(candidate), false, JSON.stringify(candidate))
  })
})
