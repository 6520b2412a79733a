import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LedgerEvent } from './ledger.rows.js'
import { builtInPurpose, type Purpose, purposeTermsOf } from './purposes.logic.js'
import { buildReceipt, type ConsentReceipt } from './receipt.logic.js'
import { sampleController } from '../workspaces/testing/controller.js'
import { receiptSchemaValidator } from './testing/consent.js'
import { kantaraExample, kantaraSchemaValidator } from './testing/kantara.js'

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

const noticeUrl = 'https://custodian.test/v1/workspaces/w/privacy-notice.html'

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
    noticeUrl,
    controller: { name: 'Acme Ltd', region: 'eu', record: sampleController() },
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
        noticeUrl,
        controller: { name: 'Acme Ltd', region: 'eu', record: sampleController() },
        proofHeld: { ip: false, userAgent: false },
      }),
    ]
    for (const receipt of variants) assert.ok(validate(receipt), JSON.stringify(validate.errors))
    assert.deepEqual(
      variants.map((receipt) => receipt.custodian.granted),
      [false, false, true, true],
    )
    assert.equal(variants[3]?.policyUrl, noticeUrl, "no policy version: the workspace's notice")
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

  const kantara = kantaraSchemaValidator()

  test("validates against the Kantara Initiative's own v1.1 schema, with the controller's contact details", () => {
    assert.ok(
      kantara(kantaraExample()),
      "the copy of the schema accepts the specification's example",
    )
    const receipt = receiptOf()
    assert.ok(kantara(receipt), JSON.stringify(kantara.errors))
    assert.deepEqual(receipt.piiControllers, [
      {
        piiController: 'Smart Trial ApS',
        onBehalf: false,
        contact: 'Dana Protection',
        address: {
          streetAddress: 'K. Christensens Vej 2 L',
          addressLocality: 'Aalborg',
          postalCode: '9200',
          addressCountry: 'DK',
        },
        email: 'privacy@smart-trial.example',
        phone: '+45 70 20 30 40',
        piiControllerUrl: noticeUrl,
      },
    ])
    assert.equal(receipt.policyUrl, 'https://example.com/privacy')
    assert.deepEqual(receipt.custodian.dataProtectionOfficer, {
      name: 'Dana Protection',
      email: 'dpo@smart-trial.example',
    })
  })

  test("the Kantara schema refuses what today's receipts used to leave out (so passing it means something)", () => {
    const good = receiptOf()
    const controller = good.piiControllers[0]!
    const without = (field: string) =>
      Object.fromEntries(Object.entries(controller).filter(([key]) => key !== field))
    const withoutPhone = without('phone')
    const withoutContact = without('contact')
    const broken: unknown[] = [
      { ...good, policyUrl: null },
      Object.fromEntries(Object.entries(good).filter(([key]) => key !== 'policyUrl')),
      { ...good, piiControllers: [withoutPhone] },
      { ...good, piiControllers: [withoutContact] },
      { ...good, piiControllers: [{ piiController: 'Acme Ltd', onBehalf: false }] },
      {
        ...good,
        services: [
          {
            service: 'x',
            purposes: [{ ...good.services[0]!.purposes[0]!, thirdPartyDisclosure: true }],
          },
        ],
      },
    ]
    for (const candidate of broken) {
      assert.equal(kantara(candidate), false, JSON.stringify(candidate))
      assert.equal(validate(candidate), false, JSON.stringify(candidate))
    }
  })
})
