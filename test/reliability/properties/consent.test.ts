import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  allowReasons,
  decide,
  type DecisionInput,
  denyReasons,
  lawfulBases,
  type PurposeRule,
  type PurposeState,
  type SubjectFlags,
} from '../../../src/consent/consent.logic.js'
import { longRun } from '../long-run.js'
import { propertyOptions } from './options.js'

/**
 * The consent decision (DESIGN.md principle 3) under fast-check: for any purpose,
 * subject and state it answers, with a reason from its own lists; the subject-wide
 * flags only ever take permission away (Art. 18 restriction, Art. 21 objection and
 * Global Privacy Control, Art. 22 opt-out); on consent, nothing is allowed without a
 * grant that stands (Art. 6(1)(a), 7(3)) and, for a child, a parent's (Art. 8(1)).
 */
const options = propertyOptions(longRun ? 20_000 : 1000)

const instant = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString())
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null })

const purposeArbitrary: fc.Arbitrary<PurposeRule> = fc.record({
  name: fc.constantFrom('analytics', 'marketing', 'support', 'profiling'),
  lawfulBasis: fc.constantFrom(...lawfulBases),
  directMarketing: fc.boolean(),
  automatedDecisions: fc.boolean(),
  minPolicySeq: fc.integer({ min: 0, max: 3 }),
})
const flagsArbitrary: fc.Arbitrary<SubjectFlags> = fc.record({
  restrictedAt: maybe(instant),
  automatedOptOutAt: maybe(instant),
  gpcAt: maybe(instant),
  declaredAge: maybe(fc.integer({ min: 0, max: 130 })),
  ageDeclaredAt: maybe(instant),
  parentalConsentAt: maybe(instant),
})
const stateArbitrary: fc.Arbitrary<PurposeState> = fc.record({
  granted: maybe(fc.boolean()),
  decidedAt: maybe(instant),
  policySeq: maybe(fc.integer({ min: 0, max: 3 })),
  objectedAt: maybe(instant),
})
const inputArbitrary: fc.Arbitrary<DecisionInput> = fc.record({
  purpose: fc.option(purposeArbitrary, { nil: undefined }),
  subject: maybe(flagsArbitrary),
  state: maybe(stateArbitrary),
  ageOfDigitalConsent: fc.integer({ min: 13, max: 16 }),
  now: fc.date({ min: new Date('2020-01-01'), max: new Date('2031-12-31'), noInvalidDate: true }),
})

const restrictingFlags = ['restrictedAt', 'gpcAt', 'automatedOptOutAt'] as const

describe('consent decision under fast-check', () => {
  test('always answers, with a reason from its lists', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = decide(input)
        const reasons: readonly string[] = decision.allowed ? allowReasons : denyReasons
        assert.ok(reasons.includes(decision.reason), decision.reason)
        if (input.purpose === undefined) assert.equal(decision.reason, 'unknown_purpose')
      }),
      options,
    )
  })

  test('a restriction, an objection, GPC or an opt-out never turns a refusal into a yes', () => {
    fc.assert(
      fc.property(
        inputArbitrary,
        fc.constantFrom(...restrictingFlags, 'objectedAt' as const),
        instant,
        (input, flag, at) => {
          // Added where there was none: moving an existing restriction earlier is not
          // more restriction (a consent given after it is the subject's newer choice).
          const existing = flag === 'objectedAt' ? input.state?.objectedAt : input.subject?.[flag]
          if (existing != null) return
          const more: DecisionInput =
            flag === 'objectedAt'
              ? { ...input, state: { ...(input.state ?? noState), objectedAt: at } }
              : { ...input, subject: { ...(input.subject ?? noSubject), [flag]: at } }
          if (decide(more).allowed) assert.ok(decide(input).allowed, `${flag} allowed more`)
        },
      ),
      options,
    )
  })

  test('on consent, a yes needs a standing grant under the current policy', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = decide(input)
        if (!decision.allowed || input.purpose?.lawfulBasis !== 'consent') return
        assert.equal(input.state?.granted, true)
        assert.ok((input.state.policySeq ?? 0) >= input.purpose.minPolicySeq)
        assert.equal(decision.reason, 'consent_given')
      }),
      options,
    )
  })

  test('GPC stops direct marketing on every basis; a restriction stops all but a later consent', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = decide(input)
        const purpose = input.purpose
        if (purpose === undefined || !decision.allowed) return
        if (purpose.directMarketing) assert.equal(input.subject?.gpcAt ?? null, null)
        const restrictedAt = input.subject?.restrictedAt ?? null
        if (restrictedAt !== null) {
          assert.equal(purpose.lawfulBasis, 'consent')
          assert.ok((input.state?.decidedAt ?? '') > restrictedAt)
        }
      }),
      options,
    )
  })
})

const noState: PurposeState = { granted: null, decidedAt: null, policySeq: null, objectedAt: null }
const noSubject: SubjectFlags = {
  restrictedAt: null,
  automatedOptOutAt: null,
  gpcAt: null,
  declaredAge: null,
  ageDeclaredAt: null,
  parentalConsentAt: null,
}
