import assert from 'node:assert/strict'
import { hash } from 'node:crypto'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import type { Database } from '../storage/index.js'
import {
  describeEachDialect,
  describePostgres,
  openSecondHandle,
} from '../storage/testing/dialects.js'
import type { Workspace } from '../workspaces/index.js'
import { recordController } from '../workspaces/testing/controller.js'
import { getReceipt } from './receipts.js'
import { changePurpose, createPurpose } from './purposes.service.js'
import { recordConsent } from './record-consent.js'
import { declareAge } from './record-signals.js'
import {
  type ConsentHarness,
  makeWorkspace,
  openConsentHarness,
  receiptSchemaValidator,
  sdkContext,
} from './testing/consent.js'

const system = { actorType: 'system', actorId: null } as const
const reader = { actor: system, requestId: null, ip: null }

describeEachDialect('purpose terms behind each choice', (context) => {
  let harness: ConsentHarness
  let workspace: Workspace

  before(async () => {
    harness = await openConsentHarness(context.storage())
    workspace = await makeWorkspace(harness)
    await recordController(harness.deps, workspace.id)
  })
  after(async () => harness.close())

  const choose = (anonymousId: string, purpose: string, granted: boolean) => {
    harness.clock.advance(1000)
    return recordConsent(harness.deps, {
      workspace,
      subject: { anonymousId },
      purpose,
      granted,
      context: sdkContext(),
    })
  }
  const receiptOf = (receiptId: string) =>
    getReceipt(harness.deps, { workspaceId: workspace.id, receiptId, reader })
  const storedTerms = (termsSha256: string) =>
    harness.deps.db
      .selectFrom('consent_purpose_terms')
      .selectAll()
      .where('workspace_id', '=', workspace.id)
      .where('terms_sha256', '=', termsSha256)
      .execute()

  test('a receipt shows the terms the choice was made under, after the purpose is reworded and moved to another basis', async () => {
    await createPurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'webinars',
      lawfulBasis: 'consent',
      description: 'Invitations to our webinars.',
      dataCategories: ['contact'],
      actor: system,
    })
    const grant = await choose('terms-visitor', 'webinars', true)
    await changePurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'webinars',
      patch: {
        lawfulBasis: 'legitimate-interests',
        description: 'Invitations to webinars and their recordings.',
        dataCategories: ['contact', 'browsing'],
      },
      actor: system,
    })
    const objection = await choose('terms-visitor', 'webinars', false)
    assert.equal(objection.event.action, 'objected')

    const before = await receiptOf(grant.event.id)
    const now = await receiptOf(objection.event.id)
    const validate = receiptSchemaValidator()
    for (const receipt of [before, now])
      assert.ok(validate(receipt), JSON.stringify(validate.errors))
    const shownBefore = before.services[0]?.purposes[0]
    const shownNow = now.services[0]?.purposes[0]
    assert.ok(shownBefore !== undefined && shownNow !== undefined)
    assert.equal(shownBefore.purpose, 'Invitations to our webinars.')
    assert.deepEqual(shownBefore.piiCategory, ['contact'])
    assert.match(shownBefore.termination, /Art\. 7\(3\)/)
    assert.equal(before.custodian.lawfulBasis, 'consent')
    assert.equal(shownNow.purpose, 'Invitations to webinars and their recordings.')
    assert.match(shownNow.termination, /Art\. 21/)
    assert.equal(now.custodian.lawfulBasis, 'legitimate-interests')

    const cited = [grant.event.purposeTermsSha256, objection.event.purposeTermsSha256]
    assert.deepEqual([before.custodian.purposeTermsSha256, now.custodian.purposeTermsSha256], cited)
    assert.notEqual(cited[0], cited[1])
    for (const digest of cited) {
      const [row] = await storedTerms(digest ?? '')
      assert.equal(hash('sha256', row?.terms ?? '', 'hex'), digest, 'the digest names its text')
    }
  })

  test('the same terms are kept once however many choices cite them; other entries cite none', async () => {
    const first = await choose('terms-a', 'analytics', true)
    const second = await choose('terms-b', 'analytics', true)
    const withdrawal = await choose('terms-a', 'analytics', false)
    const digest = first.event.purposeTermsSha256
    assert.match(digest ?? '', /^[0-9a-f]{64}$/)
    assert.equal(second.event.purposeTermsSha256, digest)
    assert.equal(withdrawal.event.purposeTermsSha256, digest)
    assert.equal((await storedTerms(digest ?? '')).length, 1)

    harness.clock.advance(1000)
    const declared = await declareAge(harness.deps, {
      workspaceId: workspace.id,
      subject: { anonymousId: 'terms-a' },
      declaration: { age: 30 },
      context: sdkContext(),
    })
    assert.deepEqual(
      declared.events.map((event) => event.purposeTermsSha256),
      declared.events.map(() => null),
    )
  })

  test('a choice recorded before terms were kept shows the current terms, and says so', async () => {
    const grant = await choose('terms-old', 'marketing', true)
    // As migration 0010 leaves the events recorded before it.
    await harness.deps.db
      .updateTable('consent_events')
      .set({ purpose_terms_sha256: null })
      .where('id', '=', grant.event.id)
      .execute()
    await changePurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'marketing',
      patch: { description: 'News and offers, now and then.' },
      actor: system,
    })
    const receipt = await receiptOf(grant.event.id)
    assert.equal(receipt.custodian.purposeTermsSha256, null)
    assert.equal(receipt.services[0]?.purposes[0]?.purpose, 'News and offers, now and then.')
    assert.ok(receiptSchemaValidator()(receipt))
  })

  test('terms are kept per workspace: the same wording elsewhere is another tenant’s row', async () => {
    const other = await makeWorkspace(harness, 'Other tenant')
    const ours = await choose('terms-wall', 'profiling', true)
    const theirs = await recordConsent(harness.deps, {
      workspace: other,
      subject: { anonymousId: 'terms-wall' },
      purpose: 'profiling',
      granted: true,
      context: sdkContext(),
    })
    const digest = ours.event.purposeTermsSha256 ?? ''
    assert.equal(theirs.event.purposeTermsSha256, digest, 'the same built-in wording')
    const rows = await harness.deps.db
      .selectFrom('consent_purpose_terms')
      .select('workspace_id')
      .where('terms_sha256', '=', digest)
      .orderBy('workspace_id')
      .execute()
    assert.deepEqual(
      rows.map((row) => row.workspace_id),
      [workspace.id, other.id].sort(),
    )
  })
})

describePostgres('purpose terms under a concurrent change of the purpose', (context) => {
  let harness: ConsentHarness
  let workspace: Workspace

  before(async () => {
    harness = await openConsentHarness(context.storage())
    workspace = await makeWorkspace(harness)
    await recordController(harness.deps, workspace.id)
  })
  after(async () => harness.close())

  test('a grant cites the terms it was decided on, though the purpose changed before it committed', async () => {
    await createPurpose(harness.deps, {
      workspaceId: workspace.id,
      name: 'webinars',
      lawfulBasis: 'consent',
      description: 'Invitations to our webinars.',
      actor: system,
    })
    // Another process holds the policies table: the grant's plan has read the purpose
    // and then waits for the policy, while the purpose moves to another basis.
    const other = openSecondHandle(context.storage())
    let granting: ReturnType<typeof recordConsent> | undefined
    try {
      await other.db.transaction().execute(async (trx) => {
        await sql`lock table consent_policies in access exclusive mode`.execute(trx)
        granting = recordConsent(harness.deps, {
          workspace,
          subject: { anonymousId: 'terms-race' },
          purpose: 'webinars',
          granted: true,
          context: sdkContext(),
        })
        await untilSomeoneWaitsForALock(harness.deps.db)
        await changePurpose(harness.deps, {
          workspaceId: workspace.id,
          name: 'webinars',
          patch: { lawfulBasis: 'legitimate-interests', description: 'Something else.' },
          actor: system,
        })
      })
    } finally {
      await other.close()
    }
    const grant = await granting
    assert.ok(grant !== undefined)
    assert.equal(grant.event.action, 'granted')
    const receipt = await getReceipt(harness.deps, {
      workspaceId: workspace.id,
      receiptId: grant.event.id,
      reader,
    })
    assert.equal(receipt.custodian.lawfulBasis, 'consent')
    assert.equal(receipt.services[0]?.purposes[0]?.purpose, 'Invitations to our webinars.')
  })
})

/** Polls PostgreSQL until a session of this database waits for a lock. */
async function untilSomeoneWaitsForALock(db: Database): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting
      from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db)
    if ((rows[0]?.waiting ?? 0) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail('the grant never waited for the lock')
}
