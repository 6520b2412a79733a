import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Migrator, sql } from 'kysely'
import { migrations } from '../storage/index.js'
import type { Database, Storage } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { inWriteTransaction } from '../storage/index.js'
import type { Workspace } from '../workspaces/index.js'
import {
  findExternalIdIndexes,
  findLinkedSubjects,
  type SubjectIdentifier,
  survivingSubjectIds,
} from '../subjects/index.js'
import { linkIdentifiers } from './link-identifiers.js'
import { consentPersonalData } from './personal-data.js'
import { createPurpose } from './purposes.service.js'
import { mayProcess, mayProcessMany } from './may-process.js'
import { readConsents } from './read-consents.js'
import { recordConsent } from './record-consent.js'
import { declareAge, setRestriction } from './record-signals.js'
import {
  type ConsentHarness,
  controllerContext,
  makeWorkspace,
  openConsentHarness,
  sdkContext,
} from './testing/consent.js'

const system = { actorType: 'system', actorId: null } as const

describeEachDialect('identify, erasure and concurrent writers', (context) => {
  let harness: ConsentHarness
  let workspace: Workspace

  before(async () => {
    harness = await openConsentHarness(context.storage())
    workspace = await makeWorkspace(harness)
  })
  after(async () => harness.close())

  const record = (subject: SubjectIdentifier, purpose: string, granted: boolean) => {
    harness.clock.advance(1000)
    return recordConsent(harness.deps, {
      workspace,
      subject,
      purpose,
      granted,
      context: 'anonymousId' in subject ? sdkContext() : controllerContext,
    })
  }
  const decide = async (subject: SubjectIdentifier, purpose: string) =>
    (
      await mayProcess(harness.deps, {
        workspace,
        subject,
        purpose,
        now: harness.clock.now(),
      })
    ).reason
  const view = (subject: SubjectIdentifier) =>
    readConsents(harness.deps, {
      workspace,
      subject,
      includeProof: true,
      historyLimit: 100,
      reader: { actor: system },
    })

  test('identify carries an anonymous visitor’s consents and history over to the contact', async () => {
    const anonymous = await record({ anonymousId: 'anon-link-1' }, 'analytics', true)
    const linked = await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'anon-link-1' }, { externalId: 'user-link-1' }],
      context: controllerContext,
    })
    assert.equal(linked.subjectId, anonymous.subjectId, 'a new identifier joins the subject')
    assert.deepEqual(linked.mergedSubjectIds, [])
    assert.equal(await decide({ externalId: 'user-link-1' }, 'analytics'), 'consent_given')
    const byContact = await view({ externalId: 'user-link-1' })
    assert.deepEqual(
      byContact.history.map((item) => item.action),
      ['linked', 'granted'],
    )
  })

  test('two subjects become one: the contact is kept, the later choice per purpose wins, every objection holds', async () => {
    const contact = await record({ externalId: 'user-link-2' }, 'marketing', true)
    await record({ externalId: 'user-link-2' }, 'analytics', false)
    const visitor = await record({ anonymousId: 'anon-link-2' }, 'analytics', true)
    await record({ anonymousId: 'anon-link-2' }, 'marketing', false)
    await setRestriction(harness.deps, {
      workspaceId: workspace.id,
      subject: { anonymousId: 'anon-link-2' },
      restricted: true,
      context: controllerContext,
    })
    await declareAge(harness.deps, {
      workspaceId: workspace.id,
      subject: { anonymousId: 'anon-link-2' },
      declaration: { age: 14 },
      context: sdkContext(),
    })
    harness.clock.advance(1000)
    const linked = await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'anon-link-2' }, { externalId: 'user-link-2' }],
      context: controllerContext,
    })
    assert.equal(linked.subjectId, contact.subjectId)
    assert.deepEqual(linked.mergedSubjectIds, [visitor.subjectId])
    const merged = await view({ anonymousId: 'anon-link-2' })
    assert.equal(merged.subjectId, contact.subjectId, 'the anonymous id now names the contact')
    const state = Object.fromEntries(merged.purposes.map((p) => [p.purpose, p.granted]))
    assert.equal(state.analytics, true, 'the visitor’s later grant wins')
    assert.equal(state.marketing, false, 'the visitor’s later withdrawal wins')
    assert.deepEqual(
      [merged.flags.restricted, merged.flags.child],
      [true, true],
      'restriction and the younger age carry over',
    )
    // Both histories show, each proof opened under its own subject's key.
    const subjects = new Set(merged.history.map((item) => item.subjectId))
    assert.deepEqual(subjects, new Set([contact.subjectId, visitor.subjectId]))
    assert.ok(merged.history.every((item) => item.proof?.erased === false))
    const surviving = await survivingSubjectIds(harness.deps.db, workspace.id, [visitor.subjectId])
    assert.equal(surviving.get(visitor.subjectId), contact.subjectId)
    // The old subject id now speaks for the kept subject, in decisions and in records.
    for (const decision of [
      await mayProcess(harness.deps, {
        workspace,
        subject: { subjectId: visitor.subjectId },
        purpose: 'analytics',
        now: harness.clock.now(),
      }),
      ...(await mayProcessMany(harness.deps, {
        workspace,
        subjects: [{ subjectId: visitor.subjectId }],
        purpose: 'analytics',
        now: harness.clock.now(),
      })),
    ]) {
      assert.deepEqual([decision.subjectId, decision.reason], [contact.subjectId, 'restricted'])
    }
    // Recording under the old subject id now lands on the kept one.
    harness.clock.advance(1000)
    const later = await recordConsent(harness.deps, {
      workspace,
      subject: { subjectId: visitor.subjectId },
      purpose: 'profiling',
      granted: true,
      context: controllerContext,
    })
    assert.equal(later.subjectId, contact.subjectId)
  })

  test('findLinkedSubjects names the person by any identifier, with every subject linked into them', async () => {
    const contact = await record({ externalId: 'user-find' }, 'analytics', true)
    const visitor = await record({ anonymousId: 'anon-find' }, 'analytics', true)
    const find = (subject: SubjectIdentifier) =>
      findLinkedSubjects(harness.deps, { workspaceId: workspace.id, subject })
    assert.deepEqual(await find({ anonymousId: 'anon-find' }), {
      subjectId: visitor.subjectId,
      subjectIds: [visitor.subjectId],
    })
    await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'anon-find' }, { externalId: 'user-find' }],
      context: controllerContext,
    })
    const person = {
      subjectId: contact.subjectId,
      subjectIds: [contact.subjectId, visitor.subjectId].sort(),
    }
    assert.deepEqual(await find({ anonymousId: 'anon-find' }), person)
    assert.deepEqual(await find({ externalId: 'user-find' }), person)
    assert.equal(await find({ externalId: 'user-nobody-knows' }), undefined)
  })

  test('findExternalIdIndexes answers, per subject, the external id identify linked it to', async () => {
    const contact = await record({ externalId: 'user-reverse' }, 'analytics', true)
    const visitor = await record({ anonymousId: 'anon-reverse' }, 'analytics', true)
    const indexesOf = (...subjectIds: string[]) =>
      findExternalIdIndexes(harness.deps, { workspaceId: workspace.id, subjectIds })
    const userIndex = await harness.deps.keyring.blindIndex(
      workspace.id,
      'external_id',
      'user-reverse',
    )
    assert.deepEqual(
      await indexesOf(contact.subjectId, visitor.subjectId, 'no-such-subject'),
      new Map([[contact.subjectId, userIndex]]),
    )
    await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'anon-reverse' }, { externalId: 'user-reverse' }],
      context: controllerContext,
    })
    // The visitor's subject was linked into the contact's: it answers with the kept one's.
    assert.deepEqual(
      await indexesOf(contact.subjectId, visitor.subjectId),
      new Map([
        [contact.subjectId, userIndex],
        [visitor.subjectId, userIndex],
      ]),
    )
  })

  test('two different external ids are never linked into one subject', async () => {
    await record({ externalId: 'user-a' }, 'analytics', true)
    await record({ externalId: 'user-b' }, 'analytics', false)
    await assert.rejects(
      linkIdentifiers(harness.deps, {
        workspaceId: workspace.id,
        identifiers: [{ externalId: 'user-a' }, { externalId: 'user-b' }],
        context: controllerContext,
      }),
      { code: 'conflict' },
    )
    await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'shared-computer' }, { externalId: 'user-a' }],
      context: controllerContext,
    })
    await assert.rejects(
      linkIdentifiers(harness.deps, {
        workspaceId: workspace.id,
        identifiers: [{ anonymousId: 'shared-computer' }, { externalId: 'user-b' }],
        context: controllerContext,
      }),
      { code: 'conflict' },
    )
    assert.equal(await decide({ externalId: 'user-b' }, 'analytics'), 'consent_withdrawn')
  })

  test('linking identifiers nobody has seen makes one new subject for all of them', async () => {
    const linked = await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'fresh-anon' }, { email: 'Fresh.Person@Example.org' }],
      context: controllerContext,
    })
    assert.equal((await view({ email: 'fresh.person@example.org ' })).subjectId, linked.subjectId)
    assert.equal((await view({ anonymousId: 'fresh-anon' })).subjectId, linked.subjectId)
  })

  test('the consent source finds every subject linked with the person and erases their rows', async () => {
    const contact = await record({ externalId: 'user-erase' }, 'marketing', true)
    const visitor = await record({ anonymousId: 'anon-erase' }, 'analytics', true)
    await linkIdentifiers(harness.deps, {
      workspaceId: workspace.id,
      identifiers: [{ anonymousId: 'anon-erase' }, { externalId: 'user-erase' }],
      context: controllerContext,
    })
    const source = consentPersonalData(harness.deps)
    const indexer = await harness.deps.keyring.indexerFor(workspace.id)
    const person = {
      workspaceId: workspace.id,
      identifiers: [
        { kind: 'anonymous_id' as const, blindIndex: indexer.index('anonymous_id', 'anon-erase') },
      ],
      keyHolders: [],
    }
    const located = await source.locate(person)
    assert.deepEqual(new Set(located.keyHolders), new Set([contact.subjectId, visitor.subjectId]))
    assert.ok((located.rows.consent_events ?? 0) >= 3)
    // The walk destroys the keys first, then every source erases in its transaction.
    const subject = { ...person, keyHolders: located.keyHolders }
    for (const subjectId of subject.keyHolders) {
      await harness.deps.keyring.shredSubject(workspace.id, subjectId)
    }
    const erased = await inWriteTransaction(harness.deps.db, (trx) => source.erase(trx, subject))
    assert.equal(erased.outcome, 'erased')
    assert.equal(erased.rows.consent_events, located.rows.consent_events)
    const left = await sql<{ count: number | string }>`select count(*) as count from consent_events
      where workspace_id = ${workspace.id}
      and subject_id in (${sql.join(subject.keyHolders)})`.execute(harness.deps.db)
    assert.equal(Number(left.rows[0]?.count), 0)
    assert.equal(await decide({ externalId: 'user-erase' }, 'marketing'), 'no_consent')
    assert.equal((await view({ anonymousId: 'anon-erase' })).subjectId, null)
    const nothing = await source.locate(person)
    assert.deepEqual(nothing.keyHolders, [])
  })

  test('keys rotate --reseal re-encrypts the ledger’s proofs, which still open', async () => {
    const recorded = await record({ anonymousId: 'anon-reseal' }, 'analytics', true)
    await record({ anonymousId: 'anon-reseal' }, 'analytics', false)
    const before = await sealedProofs(harness, recorded.subjectId)
    const [rotation] = await harness.keyring.rotate({ workspaceId: workspace.id, reseal: true })
    assert.ok(
      rotation?.reseal?.tables.some(
        (table) => table.table === 'consent_events' && table.values > 0,
      ),
      JSON.stringify(rotation?.reseal),
    )
    const after = await sealedProofs(harness, recorded.subjectId)
    assert.equal(after.length, before.length)
    after.forEach((sealed, index) => assert.notEqual(sealed, before[index], 'sealed anew'))
    const read = await view({ anonymousId: 'anon-reseal' })
    for (const { proof } of read.history) {
      assert.ok(proof)
      assert.deepEqual(
        [proof.ip, proof.userAgent],
        ['203.0.113.50', 'Mozilla/5.0 (TestOS) ConsentProbe/1.0'],
      )
    }
  })

  test('concurrent first choices of one new visitor make one subject, one key, and keep every entry', async () => {
    const keysBefore = await countSubjectKeys(harness, workspace.id)
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, k) =>
        recordConsent(harness.deps, {
          workspace,
          subject: { anonymousId: 'racing-visitor' },
          purpose: k % 2 === 0 ? 'analytics' : 'marketing',
          granted: true,
          context: sdkContext(),
        }),
      ),
    )
    assert.equal(new Set(results.map((result) => result.subjectId)).size, 1)
    const history = (await view({ anonymousId: 'racing-visitor' })).history
    assert.deepEqual(
      history.map((item) => item.seq).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6, 7, 8],
    )
    assert.equal(await countSubjectKeys(harness, workspace.id), keysBefore + 1)
  })

  // Runs last: the rows left by every test above (grants, withdrawals, restriction, age,
  // links, erasure) are what it checks.
  test('each subject row holds the decision states of its consent_states rows, and migration 0009 rebuilds them', async () => {
    // Names a JSON path or a JavaScript object could trip on: a hyphen, a digit, an
    // underscore; a name every object inherits.
    for (const name of ['ad-tracking_2', 'constructor']) {
      await createPurpose(harness.deps, {
        workspaceId: workspace.id,
        name,
        lawfulBasis: 'consent',
        description: 'Ads measured across sites',
        actor: system,
      })
      await record({ anonymousId: 'anon-states' }, name, true)
    }
    await record({ anonymousId: 'anon-states' }, 'constructor', false)
    assert.equal(await decide({ anonymousId: 'anon-states' }, 'ad-tracking_2'), 'consent_given')
    assert.equal(await decide({ anonymousId: 'anon-states' }, 'constructor'), 'consent_withdrawn')
    const db = harness.deps.db
    const expected = await statesFromTable(db, workspace.id)
    const withStates = Object.values(expected).filter((states) => Object.keys(states).length > 0)
    assert.ok(withStates.length >= 5, 'the tests above left subjects with states')
    assert.deepEqual(await storedDecisionStates(db, workspace.id), expected)

    const storage: Storage = context.storage()
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(storage.schema ? { migrationTableSchema: storage.schema } : {}),
    })
    const down = await migrator.migrateTo('0008_shred_epoch')
    assert.equal(down.error, undefined)
    // Later migrations come down first; the last two are the ones this test is about.
    assert.deepEqual(down.results?.map((result) => result.migrationName).slice(-2), [
      '0010_purpose_terms',
      '0009_decision_states',
    ])
    assert.equal((await migrator.migrateToLatest()).error, undefined)
    assert.deepEqual(await storedDecisionStates(db, workspace.id), expected)
    assert.equal(await decide({ externalId: 'user-link-2' }, 'analytics'), 'restricted')
    assert.equal(await decide({ anonymousId: 'anon-states' }, 'ad-tracking_2'), 'consent_given')
    assert.equal(await decide({ anonymousId: 'anon-states' }, 'constructor'), 'consent_withdrawn')
  })

  test('a withdrawal appended by code from before the decision states still counts at once', async () => {
    const granted = await record({ anonymousId: 'anon-old-server' }, 'analytics', true)
    const subjectId = granted.subjectId
    // What a server still on the code before migration 0009 writes for a withdrawal:
    // the state row and the subject's event_seq, not the decision states.
    const db = harness.deps.db
    await db
      .updateTable('consent_states')
      .set({ granted: 0, decided_at: '2026-03-01T10:00:00.000Z' })
      .where('subject_id', '=', subjectId)
      .where('purpose', '=', 'analytics')
      .execute()
    await db
      .updateTable('consent_subjects')
      .set((eb) => ({ event_seq: eb('event_seq', '+', 1) }))
      .where('id', '=', subjectId)
      .execute()
    const now = harness.clock.now()
    const reasons = [
      ...(await Promise.all(
        [{ anonymousId: 'anon-old-server' }, { subjectId }].map(async (subject) => [
          (await mayProcess(harness.deps, { workspace, subject, purpose: 'analytics', now }))
            .reason,
          ...(
            await mayProcessMany(harness.deps, {
              workspace,
              subjects: [subject, { anonymousId: 'anon-link-1' }],
              purpose: 'analytics',
              now,
            })
          ).map((decision) => decision.reason),
        ]),
      )),
    ]
    assert.deepEqual(reasons, [
      ['consent_withdrawn', 'consent_withdrawn', 'consent_given'],
      ['consent_withdrawn', 'consent_withdrawn', 'consent_given'],
    ])
    // The subject's next append writes its decision states again, withdrawal included.
    await record({ anonymousId: 'anon-old-server' }, 'marketing', true)
    const stored = await storedDecisionStates(db, workspace.id)
    assert.equal(stored[subjectId]?.analytics?.[0], 0)
    assert.equal(await decide({ anonymousId: 'anon-old-server' }, 'analytics'), 'consent_withdrawn')
  })
})

async function sealedProofs(harness: ConsentHarness, subjectId: string): Promise<string[]> {
  const rows = await harness.deps.db
    .selectFrom('consent_events')
    .select(['ip', 'user_agent'])
    .where('subject_id', '=', subjectId)
    .orderBy('seq')
    .execute()
  return rows.flatMap((row) => [
    row.ip?.toString('hex') ?? '',
    row.user_agent?.toString('hex') ?? '',
  ])
}

async function countSubjectKeys(harness: ConsentHarness, workspaceId: string): Promise<number> {
  const result = await sql<{ count: number | string }>`select count(distinct subject_id) as count
    from subject_keys where workspace_id = ${workspaceId}`.execute(harness.deps.db)
  return Number(result.rows[0]?.count ?? 0)
}

type DecisionStates = Record<string, Record<string, unknown[]>>

/** What each subject's decision states must be: its consent_states rows, as tuples. */
async function statesFromTable(db: Database, workspaceId: string): Promise<DecisionStates> {
  const subjects = await db
    .selectFrom('consent_subjects')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .execute()
  const states = await db
    .selectFrom('consent_states')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .execute()
  const bySubject: DecisionStates = Object.fromEntries(subjects.map((row) => [row.id, {}]))
  for (const row of states) {
    const subject = bySubject[row.subject_id]
    assert.ok(subject, `state of an unknown subject ${row.subject_id}`)
    subject[row.purpose] = [row.granted, row.decided_at, row.policy_seq, row.objected_at]
  }
  return bySubject
}

/** Each subject's decision_states as stored (null, as a linked-away subject has, is none). */
async function storedDecisionStates(db: Database, workspaceId: string): Promise<DecisionStates> {
  const rows = await db
    .selectFrom('consent_subjects')
    .select(['id', 'decision_states'])
    .where('workspace_id', '=', workspaceId)
    .execute()
  return Object.fromEntries(
    rows.map((row) => {
      const stored = row.decision_states
      const parsed: unknown = typeof stored === 'string' ? JSON.parse(stored) : (stored ?? {})
      return [row.id, parsed as Record<string, unknown[]>]
    }),
  )
}
