import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDialect } from '../storage/testing/dialects.js'
import type { Workspace } from '../workspaces/index.js'
import { wholeYearsBetween } from './consent.logic.js'
import { selectEvents, selectStates, selectSubject } from './consent.repository.js'
import type { ConsentEventsTable } from './consent.table.js'
import { applyEntry, type LedgerAction, type LedgerEntry, type Standing } from './ledger.logic.js'
import { standingOf } from './ledger.rows.js'
import { mayProcess, mayProcessMany } from './may-process.js'
import { listPolicies, publishPolicy } from './policies.service.js'
import { changePurpose, createPurpose } from './purposes.service.js'
import { readConsents } from './read-consents.js'
import { recordConsent } from './record-consent.js'
import {
  declareAge,
  recordParentalConsent,
  setAutomatedDecisionOptOut,
  setObjection,
  setRestriction,
} from './record-signals.js'
import {
  type ConsentHarness,
  controllerContext,
  makeWorkspace,
  openConsentHarness,
  sdkContext,
} from './testing/consent.js'

const system = { actorType: 'system', actorId: null } as const
const reader = { actor: system, requestId: null, ip: null }
const day = 24 * 60 * 60 * 1000

describeEachDialect('consent ledger and decision', (context) => {
  let harness: ConsentHarness
  let workspace: Workspace

  before(async () => {
    harness = await openConsentHarness(context.storage())
    workspace = await makeWorkspace(harness)
  })
  after(async () => harness.close())

  const decideFor = (anonymousId: string, purpose: string) =>
    mayProcess(harness.deps, {
      workspace,
      subject: { anonymousId },
      purpose,
      now: harness.clock.now(),
    })

  const grant = (anonymousId: string, purpose: string, granted: boolean, extra = {}) => {
    harness.clock.advance(1000)
    return recordConsent(harness.deps, {
      workspace,
      subject: { anonymousId },
      purpose,
      granted,
      context: sdkContext(),
      ...extra,
    })
  }

  test('a grant allows at once, a withdrawal refuses at once, and both stay in the ledger', async () => {
    assert.equal((await decideFor('visitor-1', 'analytics')).reason, 'no_consent')
    const granted = await grant('visitor-1', 'analytics', true)
    assert.equal(granted.event.action, 'granted')
    assert.deepEqual(granted.state.decision, { allowed: true, reason: 'consent_given' })
    assert.equal((await decideFor('visitor-1', 'analytics')).allowed, true)
    await grant('visitor-1', 'analytics', false)
    const after = await decideFor('visitor-1', 'analytics')
    assert.deepEqual(
      { allowed: after.allowed, reason: after.reason, subjectId: after.subjectId },
      { allowed: false, reason: 'consent_withdrawn', subjectId: granted.subjectId },
    )
    const view = await readConsents(harness.deps, {
      workspace,
      subject: { anonymousId: 'visitor-1' },
      includeProof: true,
      historyLimit: 10,
      reader,
    })
    assert.deepEqual(
      view.history.map((item) => [item.action, item.purpose, item.seq]),
      [
        ['withdrawn', 'analytics', 2],
        ['granted', 'analytics', 1],
      ],
    )
    for (const item of view.history) {
      assert.deepEqual(item.proof, {
        ip: '203.0.113.50',
        userAgent: 'Mozilla/5.0 (TestOS) ConsentProbe/1.0',
        evidence: null,
        erased: false,
      })
      assert.equal(item.receiptId, item.id)
    }
  })

  test('every refusal is audited with the subject, the purpose and the reason', async () => {
    const decision = await decideFor('visitor-1', 'analytics')
    const page = await harness.audit.listEntries(workspace.id, { action: 'consent.denied' })
    const entry = page.entries.find(
      (item) => item.details?.reason === 'consent_withdrawn' && item.purpose === 'analytics',
    )
    assert.ok(entry, 'the denial is in the audit log')
    assert.equal(entry.outcome, 'denied')
    const bySubject = await harness.audit.listEntries(workspace.id, {
      action: 'consent.denied',
      subjectId: decision.subjectId ?? '',
    })
    assert.ok(bySubject.entries.length > 0, 'found by the subject id')
    const allowedBefore = (
      await harness.audit.listEntries(workspace.id, { action: 'consent.denied' })
    ).entries.length
    await grant('visitor-1', 'analytics', true)
    assert.equal((await decideFor('visitor-1', 'analytics')).allowed, true)
    const allowedAfter = (
      await harness.audit.listEntries(workspace.id, { action: 'consent.denied' })
    ).entries.length
    assert.equal(allowedAfter, allowedBefore, 'an allowed decision adds no denial')
  })

  test('an unknown purpose is refused and audited; purposes on other bases need no consent', async () => {
    assert.equal((await decideFor('visitor-9', 'telepathy')).reason, 'unknown_purpose')
    const support = await decideFor('visitor-9', 'support')
    assert.deepEqual([support.allowed, support.reason], [true, 'contract'])
  })

  test('mayProcessMany gives the same answers as mayProcess, in order, unknown subjects included', async () => {
    await grant('batch-a', 'marketing', true)
    await grant('batch-b', 'marketing', false)
    const subjects = [
      { anonymousId: 'batch-b' },
      { anonymousId: 'never-seen' },
      { anonymousId: 'batch-a' },
      { anonymousId: 'batch-a' },
    ]
    const many = await mayProcessMany(harness.deps, {
      workspace,
      subjects,
      purpose: 'marketing',
      now: harness.clock.now(),
    })
    const one = []
    for (const subject of subjects) {
      one.push(
        await mayProcess(harness.deps, {
          workspace,
          subject,
          purpose: 'marketing',
          now: harness.clock.now(),
        }),
      )
    }
    assert.deepEqual(many, one)
    assert.deepEqual(
      many.map((decision) => decision.reason),
      ['consent_withdrawn', 'no_consent', 'consent_given', 'consent_given'],
    )
    const bySubjectId = await mayProcessMany(harness.deps, {
      workspace,
      subjects: [{ subjectId: many[2]?.subjectId ?? '' }],
      purpose: 'marketing',
      now: harness.clock.now(),
    })
    assert.equal(bySubjectId[0]?.reason, 'consent_given')
  })

  test('Global Privacy Control objects to marketing and profiling, not to analytics', async () => {
    await grant('gpc-visitor', 'marketing', true)
    await grant('gpc-visitor', 'analytics', true)
    const withSignal = await grant('gpc-visitor', 'analytics', true, { globalPrivacyControl: true })
    assert.deepEqual(
      withSignal.events.map((event) => [event.action, event.gpc]),
      [
        ['gpc_on', true],
        ['granted', true],
      ],
    )
    assert.equal((await decideFor('gpc-visitor', 'marketing')).reason, 'gpc_objection')
    assert.equal((await decideFor('gpc-visitor', 'profiling')).reason, 'gpc_objection')
    assert.equal((await decideFor('gpc-visitor', 'analytics')).allowed, true)
    // The signal seen again records nothing new; seen off, it ends.
    const again = await grant('gpc-visitor', 'analytics', true, { globalPrivacyControl: true })
    assert.deepEqual(
      again.events.map((event) => event.action),
      ['granted'],
    )
    await grant('gpc-visitor', 'analytics', true, { globalPrivacyControl: false })
    assert.equal((await decideFor('gpc-visitor', 'marketing')).allowed, true)
  })

  test('restriction, objection and the automated-decision opt-out: the seams the rights module calls', async () => {
    await grant('rights-visitor', 'enrichment', true)
    await grant('rights-visitor', 'analytics', true)
    const subject = { anonymousId: 'rights-visitor' }
    const restricted = await setRestriction(harness.deps, {
      workspaceId: workspace.id,
      subject,
      restricted: true,
      context: controllerContext,
    })
    assert.deepEqual(
      restricted.events.map((event) => event.action),
      ['restricted'],
    )
    assert.equal((await decideFor('rights-visitor', 'analytics')).reason, 'restricted')
    assert.equal((await decideFor('rights-visitor', 'support')).reason, 'restricted')
    const again = await setRestriction(harness.deps, {
      workspaceId: workspace.id,
      subject,
      restricted: true,
      context: controllerContext,
    })
    assert.equal(again.events.length, 0, 'a restriction already in place appends nothing')
    harness.clock.advance(1000)
    await setRestriction(harness.deps, {
      workspaceId: workspace.id,
      subject,
      restricted: false,
      context: controllerContext,
    })
    assert.equal((await decideFor('rights-visitor', 'analytics')).allowed, true)

    await setAutomatedDecisionOptOut(harness.deps, {
      workspaceId: workspace.id,
      subject,
      optedOut: true,
      context: controllerContext,
    })
    assert.equal(
      (await decideFor('rights-visitor', 'enrichment')).reason,
      'automated_decision_opt_out',
    )
    assert.equal((await decideFor('rights-visitor', 'analytics')).allowed, true)

    harness.clock.advance(1000)
    await setObjection(harness.deps, {
      workspaceId: workspace.id,
      subject,
      purpose: 'analytics',
      objected: true,
      context: controllerContext,
    })
    assert.equal((await decideFor('rights-visitor', 'analytics')).reason, 'objected')
    await assert.rejects(
      setObjection(harness.deps, {
        workspaceId: workspace.id,
        subject,
        purpose: 'no-such-purpose',
        objected: true,
        context: controllerContext,
      }),
      { code: 'invalid_request' },
    )
  })

  test('a purpose on legitimate interests: no consent needed, "no" is an objection, "yes" withdraws it', async () => {
    await createPurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'fraud-checks',
      lawfulBasis: 'legitimate-interests',
      description: 'Spotting fraudulent sign-ups.',
      actor: system,
    })
    assert.equal((await decideFor('li-visitor', 'fraud-checks')).reason, 'legitimate_interests')
    const objected = await grant('li-visitor', 'fraud-checks', false)
    assert.equal(objected.event.action, 'objected')
    assert.equal((await decideFor('li-visitor', 'fraud-checks')).reason, 'objected')
    const lifted = await grant('li-visitor', 'fraud-checks', true)
    assert.equal(lifted.event.action, 'objection_withdrawn')
    assert.equal((await decideFor('li-visitor', 'fraud-checks')).allowed, true)
  })

  test('a purpose on contract cannot be granted or withdrawn, and an unknown one is refused', async () => {
    await assert.rejects(grant('contract-visitor', 'support', false), { code: 'conflict' })
    await assert.rejects(grant('contract-visitor', 'nope', true), { code: 'invalid_request' })
  })

  test('changing a purpose’s basis changes the decision and is audited with both bases', async () => {
    await createPurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'newsletter',
      lawfulBasis: 'legitimate-interests',
      description: 'Monthly product news for customers.',
      directMarketing: true,
      actor: system,
    })
    assert.equal((await decideFor('basis-visitor', 'newsletter')).allowed, true)
    await changePurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'newsletter',
      patch: { lawfulBasis: 'consent' },
      actor: system,
    })
    assert.equal((await decideFor('basis-visitor', 'newsletter')).reason, 'no_consent')
    const log = await harness.audit.listEntries(workspace.id, { action: 'consent.basis_changed' })
    assert.deepEqual(log.entries[0]?.details, {
      article: 'Art. 6(1)(a)',
      fields: ['lawfulBasis'],
      from: 'legitimate-interests',
      to: 'consent',
    })
    // A built-in purpose changes the same way, for this workspace only.
    await changePurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'analytics',
      patch: { description: 'Counting visits.' },
      actor: system,
    })
    const other = await makeWorkspace(harness, 'Other tenant')
    const view = await readConsents(harness.deps, {
      workspace: other,
      subject: { anonymousId: 'x' },
      includeProof: false,
      historyLimit: 1,
      reader,
    })
    assert.notEqual(
      view.purposes.find((p) => p.purpose === 'analytics')?.description,
      'Counting visits.',
    )
  })

  test('a new policy version can ask consent again; a withdrawal never fails on its version', async () => {
    await publishPolicy(harness.deps, {
      workspaceId: workspace.id,
      version: 'v1',
      url: 'https://example.com/privacy/v1',
      text: 'We measure visits.',
      actor: system,
    })
    const first = await grant('policy-visitor', 'analytics', true)
    assert.equal(first.event.policyVersion, 'v1', 'the latest version by default')
    await publishPolicy(harness.deps, {
      workspaceId: workspace.id,
      version: 'v2',
      url: 'https://example.com/privacy/v2',
      reconsentPurposes: ['analytics'],
      actor: system,
    })
    assert.equal((await decideFor('policy-visitor', 'analytics')).reason, 'consent_outdated')
    await assert.rejects(grant('policy-visitor', 'analytics', true, { policyVersion: 'v1' }), {
      code: 'conflict',
    })
    await assert.rejects(grant('policy-visitor', 'analytics', true, { policyVersion: 'v9' }), {
      code: 'invalid_request',
    })
    const again = await grant('policy-visitor', 'analytics', true)
    assert.equal(again.event.policyVersion, 'v2')
    assert.equal((await decideFor('policy-visitor', 'analytics')).allowed, true)
    const withdrawn = await grant('policy-visitor', 'analytics', false, { policyVersion: 'v9' })
    assert.equal(withdrawn.event.action, 'withdrawn')
    assert.equal(withdrawn.event.policyVersion, 'v2')
    assert.equal((await decideFor('policy-visitor', 'analytics')).reason, 'consent_withdrawn')
    await assert.rejects(
      publishPolicy(harness.deps, {
        workspaceId: workspace.id,
        version: 'v2',
        url: 'https://example.com/privacy/v2',
        actor: system,
      }),
      { code: 'conflict' },
    )
    await assert.rejects(
      publishPolicy(harness.deps, {
        workspaceId: workspace.id,
        version: 'v3',
        url: 'https://example.com/privacy/v3',
        reconsentPurposes: ['support'],
        actor: system,
      }),
      { code: 'invalid_request' },
    )
  })

  test('a child is refused every consent purpose until a verified parental consent', async () => {
    const subject = { anonymousId: 'child-visitor' }
    await declareAge(harness.deps, {
      workspaceId: workspace.id,
      subject,
      declaration: { birthDate: '2012-05-01' },
      context: sdkContext(),
    })
    await grant('child-visitor', 'analytics', true)
    assert.equal(
      (await decideFor('child-visitor', 'analytics')).reason,
      'child_without_parental_consent',
    )
    assert.equal((await decideFor('child-visitor', 'support')).allowed, true, 'contract goes on')
    await assert.rejects(
      declareAge(harness.deps, {
        workspaceId: workspace.id,
        subject,
        declaration: { age: 18 },
        context: sdkContext(),
      }),
      { code: 'conflict' },
      'the SDK cannot make a child older',
    )
    await assert.rejects(
      recordParentalConsent(harness.deps, {
        workspaceId: workspace.id,
        subject,
        verified: true,
        method: 'signed-form',
        context: sdkContext(),
      }),
      { code: 'forbidden' },
    )
    await recordParentalConsent(harness.deps, {
      workspaceId: workspace.id,
      subject,
      verified: true,
      method: 'signed-form',
      reference: 'form 2026/114',
      context: controllerContext,
    })
    assert.equal((await decideFor('child-visitor', 'analytics')).allowed, true)
    const view = await readConsents(harness.deps, {
      workspace,
      subject,
      includeProof: true,
      historyLimit: 10,
      reader,
    })
    assert.equal(view.flags.child, true)
    const declared = view.history.find((item) => item.action === 'age_declared')
    assert.deepEqual(declared?.proof?.evidence, { birthDate: '2012-05-01' })
    const verified = view.history.find((item) => item.action === 'parental_verified')
    assert.deepEqual(verified?.proof?.evidence, {
      method: 'signed-form',
      reference: 'form 2026/114',
    })
    // The birth date is sealed; only whole years are kept in clear.
    const row = await selectSubject(harness.deps.db, workspace.id, view.subjectId ?? '')
    assert.equal(row?.declared_age, 13)
  })

  test('the age of digital consent is the workspace’s, and a child grows up', async () => {
    const subject = { anonymousId: 'teen-visitor' }
    await declareAge(harness.deps, {
      workspaceId: workspace.id,
      subject,
      declaration: { age: 15 },
      context: sdkContext(),
    })
    await grant('teen-visitor', 'analytics', true)
    assert.equal(
      (await decideFor('teen-visitor', 'analytics')).reason,
      'child_without_parental_consent',
    )
    const lowAge = { ...workspace, settings: { ...workspace.settings, ageOfDigitalConsent: 13 } }
    const inFrance = await mayProcess(harness.deps, {
      workspace: lowAge,
      subject,
      purpose: 'analytics',
      now: harness.clock.now(),
    })
    assert.equal(inFrance.allowed, true)
    const inAYear = new Date(harness.clock.now().getTime() + 366 * day)
    const later = await mayProcess(harness.deps, {
      workspace,
      subject,
      purpose: 'analytics',
      now: inAYear,
    })
    assert.equal(later.allowed, true)
  })

  test('the state kept beside the ledger is exactly the fold of the ledger', async () => {
    const purposes = ['analytics', 'marketing', 'profiling', 'enrichment']
    const visitors = ['fold-1', 'fold-2', 'fold-3']
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    for (let step = 0; step < 60; step += 1) {
      const anonymousId = visitors[random(visitors.length)] ?? 'fold-1'
      const subject = { anonymousId }
      harness.clock.advance(1000 + random(5) * 1000)
      const base = { workspaceId: workspace.id, subject, context: controllerContext }
      switch (random(6)) {
        case 0:
          await setRestriction(harness.deps, { ...base, restricted: random(2) === 0 })
          break
        case 1:
          await setObjection(harness.deps, {
            ...base,
            purpose: purposes[random(4)] ?? 'analytics',
            objected: random(2) === 0,
          })
          break
        case 2:
          await setAutomatedDecisionOptOut(harness.deps, { ...base, optedOut: random(2) === 0 })
          break
        case 3:
          await declareAge(harness.deps, {
            ...base,
            declaration: { age: 10 + random(20) },
          })
          break
        default:
          await grant(anonymousId, purposes[random(4)] ?? 'analytics', random(2) === 0, {
            globalPrivacyControl: random(3) === 0 ? true : undefined,
          })
      }
    }
    const policySeqs = new Map(
      (await listPolicies(harness.deps.db, workspace.id)).map((policy) => [policy.id, policy.seq]),
    )
    for (const anonymousId of visitors) {
      const view = await readConsents(harness.deps, {
        workspace,
        subject: { anonymousId },
        includeProof: true,
        historyLimit: 1000,
        reader,
      })
      const subjectId = view.subjectId ?? ''
      const rows = (await selectEvents(harness.deps.db, workspace.id, [subjectId], 1000)).reverse()
      const evidence = new Map(view.history.map((item) => [item.id, item.proof?.evidence]))
      let folded: Standing = {
        flags: {
          restrictedAt: null,
          automatedOptOutAt: null,
          gpcAt: null,
          declaredAge: null,
          ageDeclaredAt: null,
          parentalConsentAt: null,
        },
        purposes: new Map(),
      }
      for (const row of rows)
        folded = applyEntry(
          folded,
          entryOf(row, evidence.get(row.id), policySeqs),
          row.recorded_at,
          row.id,
        )
      const subject = await selectSubject(harness.deps.db, workspace.id, subjectId)
      assert.ok(subject)
      const stored = standingOf(
        subject,
        await selectStates(harness.deps.db, workspace.id, subjectId),
      )
      assert.deepEqual(stored.flags, folded.flags, anonymousId)
      assert.deepEqual(
        [...stored.purposes.entries()].sort(),
        [...folded.purposes.entries()].sort(),
        anonymousId,
      )
      assert.equal(subject.event_seq, rows.length)
    }
  })

  test('workspaces are walls: the same anonymous id in another workspace is someone else', async () => {
    const other = await makeWorkspace(harness, 'Wall tenant')
    const decision = await mayProcess(harness.deps, {
      workspace: other,
      subject: { anonymousId: 'visitor-1' },
      purpose: 'analytics',
      now: harness.clock.now(),
    })
    assert.deepEqual([decision.reason, decision.subjectId], ['no_consent', null])
    const view = await readConsents(harness.deps, {
      workspace: other,
      subject: { anonymousId: 'visitor-1' },
      includeProof: true,
      historyLimit: 10,
      reader,
    })
    assert.deepEqual([view.subjectId, view.history.length, view.historyTotal], [null, 0, 0])
    const mine = await decideFor('visitor-1', 'analytics')
    const byId = await mayProcess(harness.deps, {
      workspace: other,
      subject: { subjectId: mine.subjectId ?? '' },
      purpose: 'analytics',
      now: harness.clock.now(),
    })
    assert.equal(byId.subjectId, null, "another workspace's subject id names no one here")
  })
})

/** The ledger entry a stored row records, with the whole years of an age declaration. */
function entryOf(
  row: ConsentEventsTable,
  evidence: unknown,
  policySeqs: ReadonlyMap<string, number>,
): LedgerEntry {
  const entry: LedgerEntry = {
    action: row.action as LedgerAction,
    purpose: row.purpose,
    policy:
      row.policy_id === null
        ? null
        : {
            id: row.policy_id,
            seq: policySeqs.get(row.policy_id) ?? -1,
            version: row.policy_version ?? '',
          },
    gpc: row.gpc === 1,
    evidence: null,
  }
  if (row.action !== 'age_declared') return entry
  const declared = evidence as { age?: number; birthDate?: string }
  return {
    ...entry,
    declaredAge:
      declared.age ??
      wholeYearsBetween(
        new Date(`${declared.birthDate ?? ''}T00:00:00Z`),
        new Date(row.recorded_at),
      ),
  }
}
