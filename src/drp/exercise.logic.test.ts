import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { RequestView } from '../rights/index.js'
import { evidenceOf, readExercise } from './exercise.logic.js'
import { DrpRefusal } from './signed-message.logic.js'
import { exerciseStatusOf } from './status.logic.js'

const base = { 'drp.version': '1.0', email: 'sam@example.com' }

function refusalOf(run: () => unknown): DrpRefusal {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof DrpRefusal, String(error))
    return error
  }
  assert.fail('no refusal')
}

describe('exercises (DRP §2.01, §3.01) and the GDPR profile', () => {
  test("DRP's own rights map to the GDPR rights that cover them, under any regime", () => {
    for (const regime of [undefined, 'ccpa', 'gdpr']) {
      const claims = { ...base, ...(regime === undefined ? {} : { regime }) }
      assert.equal(readExercise({ ...claims, exercise: 'access' }, []).type, 'access')
      assert.equal(readExercise({ ...claims, exercise: 'deletion' }, []).type, 'erasure')
      const optOut = readExercise({ ...claims, exercise: 'sale:opt-out' }, ['marketing'])
      assert.equal(optOut.type, 'objection')
      assert.deepEqual(optOut.details, { purposes: ['marketing'] })
    }
  })

  test('an opt-out of sale where nothing is direct marketing is refused, not widened', () => {
    const refused = refusalOf(() => readExercise({ ...base, exercise: 'sale:opt-out' }, []))
    assert.equal(refused.why, 'unsupported')
    assert.equal(refused.fatal, false, 'it may succeed once the business markets')
  })

  test('the GDPR profile needs regime gdpr, and a rectification its changes', () => {
    const gdpr = { ...base, regime: 'gdpr' }
    assert.equal(readExercise({ ...gdpr, exercise: 'portability' }, []).type, 'portability')
    assert.deepEqual(
      readExercise({ ...gdpr, exercise: 'objection', 'gdpr.purposes': ['profiling'] }, []).details,
      { purposes: ['profiling'] },
    )
    assert.equal(
      refusalOf(() => readExercise({ ...base, exercise: 'portability' }, [])).why,
      'unsupported',
    )
    assert.equal(
      refusalOf(() => readExercise({ ...gdpr, exercise: 'rectification' }, [])).why,
      'malformed',
    )
    assert.equal(
      refusalOf(() =>
        readExercise({ ...gdpr, exercise: 'rectification', 'gdpr.changes': { shoeSize: 9 } }, []),
      ).why,
      'malformed',
    )
  })

  test('claims are bounded and typed; their values never reach the message', () => {
    const refused = refusalOf(() =>
      readExercise({ ...base, exercise: 'access', email_verified: 'yes-sam@example.com' }, []),
    )
    assert.equal(refused.why, 'malformed')
    assert.ok(!refused.message.includes('sam@example.com'))
    assert.equal(
      refusalOf(() => readExercise({ ...base, exercise: 'access', name: 'x'.repeat(301) }, [])).why,
      'malformed',
    )
  })

  test('the evidence names the claims and what the agent verified, not their values', () => {
    const exercise = readExercise(
      {
        ...base,
        exercise: 'access',
        email_verified: true,
        name: 'Sam Secret',
        phone_number: '+4915112345678',
        address: { street_address: '1 Hidden Lane' },
        address_verified: true,
      },
      [],
    )
    const text = evidenceOf(exercise, { agentId: 'AGENT_X', name: 'Agent X' })
    assert.match(text, /Email verified by the agent/)
    assert.match(text, /phone number given, not verified/)
    assert.match(text, /address given, verified by the agent/)
    for (const value of ['Sam Secret', '+4915112345678', 'Hidden Lane', 'sam@example.com']) {
      assert.ok(!text.includes(value), value)
    }
  })
})

describe('the exercise status (DRP §3.02–3.03)', () => {
  const view: RequestView = {
    id: 'r1',
    type: 'access',
    status: 'verifying',
    channel: 'api',
    receivedAt: '2026-03-02T09:00:00.000Z',
    dueAt: '2026-03-09T09:00:00.000Z',
    legalDueDate: '2026-04-02',
    legalDueAt: '2026-04-02T23:59:59.999Z',
    extendedDueDate: null,
    extendedDueAt: null,
    overdue: false,
    duplicateOf: null,
    verifiedAt: null,
    verificationMethod: null,
    rejectionArticle: null,
    outcome: null,
    failure: null,
    decidedUnder: null,
    exportExpiresAt: null,
    createdAt: '2026-03-02T09:00:00.000Z',
    updatedAt: '2026-03-02T09:00:00.000Z',
    completedAt: null,
  }
  const statusOf = (
    changes: Partial<RequestView>,
    results: { url: string; expiresAt: string } | null = null,
  ) =>
    exerciseStatusOf({
      id: 'd1',
      agentRequestId: 'a1',
      view: { ...view, ...changes },
      results,
      reported: { status: 'open', reason: null },
    })

  test('each rights state has its DRP state, with the spec’s spellings', () => {
    assert.deepEqual(statusOf({}), {
      request_id: 'd1',
      agent_request_id: 'a1',
      status: 'in_progress',
      reason: 'need_user_verification',
      received_at: view.receivedAt,
      expected_by: view.legalDueAt,
      processing_details:
        "A confirmation code was mailed to the person's email address; the request proceeds once they enter it (Art. 12(6) GDPR)",
    })
    assert.equal(statusOf({ status: 'in-progress' }).status, 'in_progress')
    assert.equal(statusOf({ status: 'withdrawn' }).status, 'revoked')
    const fulfilled = statusOf(
      { status: 'completed', outcome: { result: 'export-ready' } },
      { url: 'https://x/v1/rights/exports/t', expiresAt: '2026-03-09T09:00:00.000Z' },
    )
    assert.equal(fulfilled.status, 'fulfilled')
    assert.equal(fulfilled.results_url, 'https://x/v1/rights/exports/t')
    assert.equal(fulfilled.expires_at, '2026-03-09T09:00:00.000Z')
  })

  test('denials carry the reason of their article; extensions move expected_by', () => {
    const denied = (article: string) => statusOf({ status: 'rejected', rejectionArticle: article })
    assert.equal(denied('art-12-6').reason, 'insuf_verification')
    assert.equal(denied('art-17-3-e').reason, 'claim_not_covered')
    assert.equal(denied('art-12-5').reason, 'other')
    assert.match(denied('art-15-4').processing_details ?? '', /Art\. 15\(4\)/)
    const extended = statusOf({
      status: 'in-progress',
      extendedDueAt: '2026-06-02T23:59:59.999Z',
      extendedDueDate: '2026-06-02',
    })
    assert.equal(extended.expected_by, '2026-06-02T23:59:59.999Z')
    assert.match(extended.processing_details ?? '', /extended/)
  })

  test('without a rights request to read, the last reported state stands', () => {
    const status = exerciseStatusOf({
      id: 'd1',
      agentRequestId: null,
      view: undefined,
      results: null,
      reported: { status: 'denied', reason: 'other' },
    })
    assert.deepEqual(status, { request_id: 'd1', status: 'denied', reason: 'other' })
  })
})
