import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ageNow,
  allowReasons,
  decide,
  type Decision,
  denyReasons,
  isChild,
  type LawfulBasis,
  lawfulBases,
  type PurposeRule,
  type PurposeState,
  type SubjectFlags,
  wholeYearsBetween,
} from './consent.logic.js'

const now = new Date('2026-06-15T12:00:00.000Z')
// Moments in order: t1 < t2 < t3, all before now.
const t1 = '2026-06-01T00:00:00.000Z'
const t2 = '2026-06-05T00:00:00.000Z'
const t3 = '2026-06-10T00:00:00.000Z'

type Kind = 'plain' | 'direct-marketing' | 'automated'
type ConsentCase = 'none' | 'granted' | 'withdrawn' | 'outdated'
type Moment = 'none' | 'before-grant' | 'after-grant'
type AgeCase = 'unknown' | 'adult' | 'child' | 'child+parent'

interface Case {
  basis: LawfulBasis
  kind?: Kind
  consent?: ConsentCase
  restriction?: Moment
  objection?: Moment
  gpc?: boolean
  optOut?: boolean
  age?: AgeCase
}

function rule(basis: LawfulBasis, kind: Kind): PurposeRule {
  return {
    name: 'p',
    lawfulBasis: basis,
    directMarketing: kind === 'direct-marketing',
    automatedDecisions: kind === 'automated',
    minPolicySeq: 2,
  }
}

/** Grants and withdrawals happen at t2; "before" is t1 and "after" is t3. */
function inputOf(c: Case) {
  const moment = (m: Moment | undefined) =>
    m === 'before-grant' ? t1 : m === 'after-grant' ? t3 : null
  const consent = c.consent ?? 'none'
  const objectedAt = moment(c.objection)
  const state: PurposeState | null =
    consent === 'none' && objectedAt === null
      ? null
      : {
          granted: consent === 'none' ? null : consent !== 'withdrawn',
          decidedAt: consent === 'none' ? null : t2,
          policySeq: consent === 'outdated' ? 1 : 2,
          objectedAt,
        }
  const age = c.age ?? 'unknown'
  const subject: SubjectFlags = {
    restrictedAt: moment(c.restriction),
    automatedOptOutAt: c.optOut ? t1 : null,
    gpcAt: c.gpc ? t1 : null,
    // Declared a year ago: 12 then is at least 13 now (a child at 16); 30 is an adult.
    declaredAge: age === 'unknown' ? null : age === 'adult' ? 30 : 12,
    ageDeclaredAt: age === 'unknown' ? null : '2025-06-15T12:00:00.000Z',
    parentalConsentAt: age === 'child+parent' ? t1 : null,
  }
  return {
    purpose: rule(c.basis, c.kind ?? 'plain'),
    subject,
    state,
    ageOfDigitalConsent: 16,
    now,
  }
}

const run = (c: Case): Decision => decide(inputOf(c))

// Each row names one branch of the decision and the answer it must give.
const table: [string, Case, Decision['reason']][] = [
  // consent basis × consent state
  ['consent: nothing recorded', { basis: 'consent' }, 'no_consent'],
  ['consent: granted', { basis: 'consent', consent: 'granted' }, 'consent_given'],
  ['consent: withdrawn', { basis: 'consent', consent: 'withdrawn' }, 'consent_withdrawn'],
  [
    'consent: granted under a superseded policy',
    { basis: 'consent', consent: 'outdated' },
    'consent_outdated',
  ],
  // every other basis allows on its own, whatever the consent state
  ['contract: no consent needed', { basis: 'contract' }, 'contract'],
  [
    'contract: a withdrawal does not matter',
    { basis: 'contract', consent: 'withdrawn' },
    'contract',
  ],
  ['legal obligation', { basis: 'legal-obligation' }, 'legal_obligation'],
  ['vital interests', { basis: 'vital-interests', consent: 'withdrawn' }, 'vital_interests'],
  ['public task', { basis: 'public-task' }, 'public_task'],
  ['legitimate interests', { basis: 'legitimate-interests' }, 'legitimate_interests'],
  // restriction (Art. 18)
  ['restricted: contract stops', { basis: 'contract', restriction: 'before-grant' }, 'restricted'],
  [
    'restricted: legitimate interests stop',
    { basis: 'legitimate-interests', restriction: 'after-grant' },
    'restricted',
  ],
  [
    'restricted: consent given before the restriction stops',
    { basis: 'consent', consent: 'granted', restriction: 'after-grant' },
    'restricted',
  ],
  [
    'restricted: consent given after it counts (Art. 18(2))',
    { basis: 'consent', consent: 'granted', restriction: 'before-grant' },
    'consent_given',
  ],
  [
    'restricted: a withdrawal after it is no consent',
    { basis: 'consent', consent: 'withdrawn', restriction: 'before-grant' },
    'restricted',
  ],
  [
    'restricted: outranks an objection',
    { basis: 'legitimate-interests', restriction: 'before-grant', objection: 'before-grant' },
    'restricted',
  ],
  // objection (Art. 21)
  [
    'objection: legitimate interests stop',
    { basis: 'legitimate-interests', objection: 'before-grant' },
    'objected',
  ],
  ['objection: public task stops', { basis: 'public-task', objection: 'after-grant' }, 'objected'],
  ['objection: contract goes on', { basis: 'contract', objection: 'before-grant' }, 'contract'],
  [
    'objection: legal obligation goes on',
    { basis: 'legal-obligation', objection: 'after-grant' },
    'legal_obligation',
  ],
  [
    'objection: vital interests go on',
    { basis: 'vital-interests', objection: 'after-grant' },
    'vital_interests',
  ],
  [
    'objection: direct marketing on contract stops (21(3))',
    { basis: 'contract', kind: 'direct-marketing', objection: 'before-grant' },
    'objected',
  ],
  [
    'objection after a grant works as a withdrawal',
    { basis: 'consent', consent: 'granted', objection: 'after-grant' },
    'objected',
  ],
  [
    'a grant after an objection supersedes it',
    { basis: 'consent', consent: 'granted', objection: 'before-grant' },
    'consent_given',
  ],
  ['objection without any grant', { basis: 'consent', objection: 'before-grant' }, 'objected'],
  // Global Privacy Control: an objection to direct marketing and profiling
  [
    'GPC: consent-based marketing stops despite a grant',
    { basis: 'consent', kind: 'direct-marketing', consent: 'granted', gpc: true },
    'gpc_objection',
  ],
  [
    'GPC: marketing on legitimate interests stops',
    { basis: 'legitimate-interests', kind: 'direct-marketing', gpc: true },
    'gpc_objection',
  ],
  [
    'GPC: marketing on contract stops',
    { basis: 'contract', kind: 'direct-marketing', gpc: true },
    'gpc_objection',
  ],
  [
    'GPC: analytics with consent goes on',
    { basis: 'consent', consent: 'granted', gpc: true },
    'consent_given',
  ],
  ['GPC: support on contract goes on', { basis: 'contract', gpc: true }, 'contract'],
  [
    'GPC outranks an explicit objection',
    {
      basis: 'legitimate-interests',
      kind: 'direct-marketing',
      gpc: true,
      objection: 'before-grant',
    },
    'gpc_objection',
  ],
  // automated decisions (Art. 22)
  [
    'opt-out: consent-based enrichment stops',
    { basis: 'consent', kind: 'automated', consent: 'granted', optOut: true },
    'automated_decision_opt_out',
  ],
  [
    'opt-out: profiling on legitimate interests stops',
    { basis: 'legitimate-interests', kind: 'automated', optOut: true },
    'automated_decision_opt_out',
  ],
  [
    'opt-out: profiling on contract stops',
    { basis: 'contract', kind: 'automated', optOut: true },
    'automated_decision_opt_out',
  ],
  [
    'opt-out: a purpose that decides nothing goes on',
    { basis: 'consent', consent: 'granted', optOut: true },
    'consent_given',
  ],
  [
    'opt-out without it: enrichment with consent goes on',
    { basis: 'consent', kind: 'automated', consent: 'granted' },
    'consent_given',
  ],
  // age (Art. 8)
  [
    'child: consent refused without a parent',
    { basis: 'consent', consent: 'granted', age: 'child' },
    'child_without_parental_consent',
  ],
  [
    'child: refused before even asking',
    { basis: 'consent', age: 'child' },
    'child_without_parental_consent',
  ],
  [
    'child with verified parental consent and a grant',
    { basis: 'consent', consent: 'granted', age: 'child+parent' },
    'consent_given',
  ],
  [
    'child with parental consent still needs the grant',
    { basis: 'consent', age: 'child+parent' },
    'no_consent',
  ],
  [
    'child with parental consent: a withdrawal stands',
    { basis: 'consent', consent: 'withdrawn', age: 'child+parent' },
    'consent_withdrawn',
  ],
  [
    'adult: consent counts',
    { basis: 'consent', consent: 'granted', age: 'adult' },
    'consent_given',
  ],
  ['child: contract does not depend on consent', { basis: 'contract', age: 'child' }, 'contract'],
  [
    'child: legitimate interests do not either',
    { basis: 'legitimate-interests', age: 'child' },
    'legitimate_interests',
  ],
  // precedence between refusals
  [
    'restriction before GPC',
    {
      basis: 'consent',
      kind: 'direct-marketing',
      consent: 'granted',
      gpc: true,
      restriction: 'after-grant',
    },
    'restricted',
  ],
  [
    'GPC before the opt-out',
    { basis: 'consent', kind: 'direct-marketing', gpc: true, optOut: true },
    'gpc_objection',
  ],
  [
    'opt-out before age',
    { basis: 'consent', kind: 'automated', optOut: true, age: 'child' },
    'automated_decision_opt_out',
  ],
  [
    'objection before age',
    { basis: 'consent', objection: 'after-grant', consent: 'granted', age: 'child' },
    'objected',
  ],
  [
    'age before an outdated policy',
    { basis: 'consent', consent: 'outdated', age: 'child' },
    'child_without_parental_consent',
  ],
]

describe('the consent decision table', () => {
  for (const [name, input, reason] of table) {
    test(name, () => {
      const decision = run(input)
      assert.equal(decision.reason, reason)
      assert.equal(decision.allowed, (allowReasons as readonly string[]).includes(reason))
    })
  }

  test('an unknown purpose is refused, whatever else is true', () => {
    const input = inputOf({ basis: 'consent', consent: 'granted' })
    assert.deepEqual(decide({ ...input, purpose: undefined }), {
      allowed: false,
      reason: 'unknown_purpose',
    })
  })

  test('an unknown subject: consent purposes wait, other bases go on', () => {
    for (const basis of lawfulBases) {
      const decision = decide({
        purpose: rule(basis, 'plain'),
        subject: null,
        state: null,
        ageOfDigitalConsent: 16,
        now,
      })
      assert.equal(decision.allowed, basis !== 'consent', basis)
    }
  })
})

describe('the decision over every combination', () => {
  const combos: Case[] = []
  for (const basis of lawfulBases)
    for (const kind of ['plain', 'direct-marketing', 'automated'] as const)
      for (const consent of ['none', 'granted', 'withdrawn', 'outdated'] as const)
        for (const restriction of ['none', 'before-grant', 'after-grant'] as const)
          for (const objection of ['none', 'before-grant', 'after-grant'] as const)
            for (const gpc of [false, true])
              for (const optOut of [false, true])
                for (const age of ['unknown', 'adult', 'child', 'child+parent'] as const)
                  combos.push({ basis, kind, consent, restriction, objection, gpc, optOut, age })

  test(`covers every basis × consent × restriction × objection × GPC × age (${combos.length})`, () => {
    const seen = new Set<string>()
    for (const c of combos) {
      const decision = run(c)
      seen.add(decision.reason)
      assert.equal(decision.allowed, (allowReasons as readonly string[]).includes(decision.reason))
    }
    // Every reason but unknown_purpose (tested above) is reachable from real inputs.
    const expected = [...allowReasons, ...denyReasons].filter((r) => r !== 'unknown_purpose')
    assert.deepEqual([...seen].sort(), [...expected].sort())
  })

  test('a restriction stops everything but a consent given after it', () => {
    for (const c of combos.filter((c) => c.restriction !== 'none')) {
      const decision = run(c)
      if (decision.allowed) {
        assert.equal(c.basis, 'consent')
        assert.equal(c.restriction, 'before-grant')
        assert.equal(c.consent, 'granted')
      }
    }
  })

  test('GPC never lets direct marketing through; the opt-out never lets automated decisions through', () => {
    for (const c of combos) {
      if (c.gpc && c.kind === 'direct-marketing') assert.equal(run(c).allowed, false)
      if (c.optOut && c.kind === 'automated') assert.equal(run(c).allowed, false)
    }
  })

  test('a consent purpose is allowed only on a current grant, from an adult or with a parent', () => {
    for (const c of combos.filter((c) => c.basis === 'consent' && run(c).allowed)) {
      assert.equal(c.consent, 'granted')
      assert.notEqual(c.age, 'child')
    }
  })

  test('a child’s age changes nothing on bases other than consent', () => {
    for (const c of combos.filter((c) => c.basis !== 'consent' && c.age === 'child')) {
      assert.deepEqual(run(c), run({ ...c, age: 'adult' }))
    }
  })

  test('on contract, legal obligation and vital interests only restriction, GPC, direct-marketing objections and the opt-out refuse', () => {
    const fixed = combos.filter((c) =>
      ['contract', 'legal-obligation', 'vital-interests'].includes(c.basis),
    )
    for (const c of fixed) {
      const refusedBySignal =
        c.restriction !== 'none' ||
        (c.kind === 'direct-marketing' && (c.gpc === true || c.objection !== 'none')) ||
        (c.kind === 'automated' && c.optOut === true)
      assert.equal(run(c).allowed, !refusedBySignal, JSON.stringify(c))
    }
  })
})

describe('age', () => {
  test('whole years count only once the anniversary has passed', () => {
    const from = new Date('2010-06-15T00:00:00Z')
    assert.equal(wholeYearsBetween(from, new Date('2026-06-14T23:59:59Z')), 15)
    assert.equal(wholeYearsBetween(from, new Date('2026-06-15T00:00:00Z')), 16)
    assert.equal(wholeYearsBetween(from, new Date('2009-01-01T00:00:00Z')), 0)
  })

  test('a declared age grows with time, never ahead of it', () => {
    const declaredAt = new Date('2025-03-01T00:00:00Z')
    assert.equal(ageNow(15, declaredAt, new Date('2026-02-28T00:00:00Z')), 15)
    assert.equal(ageNow(15, declaredAt, new Date('2026-03-01T00:00:00Z')), 16)
  })

  test('the workspace’s age of digital consent decides who is a child', () => {
    const fourteen: SubjectFlags = {
      restrictedAt: null,
      automatedOptOutAt: null,
      gpcAt: null,
      declaredAge: 14,
      ageDeclaredAt: now.toISOString(),
      parentalConsentAt: null,
    }
    assert.equal(isChild(fourteen, 16, now), true)
    assert.equal(isChild(fourteen, 13, now), false)
    assert.equal(isChild({ ...fourteen, declaredAge: null, ageDeclaredAt: null }, 16, now), false)
  })
})
