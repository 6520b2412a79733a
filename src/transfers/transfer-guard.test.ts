import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { openTestAuditLog, type TestAuditLog } from '../audit/testing/audit.js'
import { createOutboxTransport } from '../mail/index.js'
import { composeWorkspaceSettings } from '../settings-fragments.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { createWorkspace } from '../workspaces/index.js'
import { guardMailRelay } from './mail-relay-guard.js'
import type { NewSubprocessor } from './subprocessors.schemas.js'
import { changeSubprocessor, registerSubprocessor } from './subprocessors.service.js'
import { guardTransfer, type TransferRequest } from './transfer-guard.js'
import type { TransferDeps } from './transfers.deps.js'

const platformAdmin = { workspaceId: null, actor: { actorType: 'system', actorId: null } } as const

const relay: NewSubprocessor = {
  name: 'Relay Ltd',
  service: 'Mail relay',
  dataCategories: ['identifiers', 'operator-account', 'contact-profile'],
  country: 'IE',
  endpoints: ['smtp.relay.example'],
  dpa: { signedOn: '2026-01-10', reference: 'DPA-2026-01' },
  transferMechanism: { type: 'none' },
}

describeEachDialect('the transfer guard', (context) => {
  let log: TestAuditLog
  let deps: TransferDeps
  let workspaceId: string

  before(async () => {
    log = await openTestAuditLog(context.storage())
    deps = { db: context.storage().db, audit: log.audit, clock: log.clock, instanceRegion: 'eu' }
    workspaceId = (
      await createWorkspace(
        {
          db: deps.db,
          audit: log.audit,
          clock: log.clock,
          instanceRegion: 'eu',
          settings: composeWorkspaceSettings(),
        },
        { name: 'Guarded Ltd', actor: platformAdmin.actor },
      )
    ).id
  })
  after(async () => log.close())

  async function refusals(): Promise<number> {
    const rows = await deps.db
      .selectFrom('audit_entries')
      .select('details')
      .where('action', '=', 'transfer.refused')
      .execute()
    return rows.length
  }

  async function lastRefusal(): Promise<Record<string, unknown>> {
    const row = await deps.db
      .selectFrom('audit_entries')
      .select(['details', 'outcome', 'workspace_id'])
      .where('action', '=', 'transfer.refused')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow()
    assert.equal(row.outcome, 'denied')
    const details: unknown = JSON.parse(row.details ?? '{}')
    assert.ok(typeof details === 'object' && details !== null)
    return { ...details, workspaceId: row.workspace_id }
  }

  /** Refused with `reason`, and exactly one audit entry says so. */
  async function assertRefused(request: TransferRequest, reason: string): Promise<void> {
    const before = await refusals()
    await assert.rejects(guardTransfer(deps, request), (error: unknown) => {
      assert.ok(error instanceof Error && 'code' in error && error.code === 'transfer_refused')
      assert.match(error.message, new RegExp(reason))
      return true
    })
    assert.equal(await refusals(), before + 1, 'one audit entry per refusal')
    const entry = await lastRefusal()
    assert.equal(entry.reason, reason)
    assert.equal(entry.kind, request.kind)
  }

  const webhook = (subprocessorId: string): TransferRequest => ({
    workspaceId,
    kind: 'webhook',
    recipient: { subprocessorId },
    categories: ['identifiers'],
  })

  test('refuses an unregistered recipient, by host or by id, and audits it', async () => {
    await assertRefused(
      {
        workspaceId,
        kind: 'webhook',
        recipient: { host: 'hooks.unknown.example' },
        categories: [],
      },
      'unregistered',
    )
    assert.equal((await lastRefusal()).recipient, 'unregistered')
    await assertRefused(webhook('019b0000-0000-7000-8000-000000000000'), 'unregistered')
  })

  test('refuses a recipient with no DPA, and allows it once the DPA is recorded', async () => {
    const registered = await registerSubprocessor(
      deps,
      { workspaceId, actor: platformAdmin.actor },
      {
        ...relay,
        name: 'CRM Hooks GmbH',
        country: 'DE',
        endpoints: ['hooks.crm.example'],
        dpa: null,
      },
    )
    await assertRefused(webhook(registered.id), 'no_dpa')
    assert.equal((await lastRefusal()).recipient, registered.id)
    await changeSubprocessor(deps, { workspaceId, actor: platformAdmin.actor }, registered.id, {
      dpa: { signedOn: '2026-02-01', reference: 'DPA-CRM-7' },
    })
    assert.deepEqual(await guardTransfer(deps, webhook(registered.id)), {
      subprocessorId: registered.id,
      ground: 'eea',
    })
  })

  test('refuses a third-country recipient without SCCs, and with SCCs but no supplementary measure', async () => {
    const caller = { workspaceId, actor: platformAdmin.actor }
    const american = await registerSubprocessor(deps, caller, {
      ...relay,
      name: 'Enrich Inc.',
      country: 'US',
      endpoints: ['api.enrich.example'],
    })
    await assertRefused(webhook(american.id), 'no_transfer_mechanism')
    await changeSubprocessor(deps, caller, american.id, {
      transferMechanism: { type: 'scc', module: 2, signedOn: '2026-01-10' },
    })
    await assertRefused(webhook(american.id), 'no_supplementary_measure')
    assert.equal((await lastRefusal()).country, 'US')
    await changeSubprocessor(deps, caller, american.id, {
      supplementaryMeasures: ['Encrypted before transfer; the keys stay in the EU'],
    })
    assert.deepEqual(await guardTransfer(deps, webhook(american.id)), {
      subprocessorId: american.id,
      ground: 'scc',
    })
  })

  test('allows a recipient in an adequacy country', async () => {
    const swiss = await registerSubprocessor(
      deps,
      { workspaceId, actor: platformAdmin.actor },
      {
        ...relay,
        name: 'Geneva Data SA',
        country: 'CH',
        endpoints: ['api.geneva.example'],
        transferMechanism: { type: 'adequacy', withinScope: false },
      },
    )
    const approved = await guardTransfer(deps, webhook(swiss.id))
    assert.equal(approved.ground, 'adequacy')
    assert.match(approved.decision ?? '', /2000\/518\/EC/)
  })

  test("a workspace never reaches another workspace's recipient", async () => {
    const other = (
      await createWorkspace(
        {
          db: deps.db,
          audit: log.audit,
          clock: log.clock,
          instanceRegion: 'eu',
          settings: composeWorkspaceSettings(),
        },
        { name: 'Other Ltd', actor: platformAdmin.actor },
      )
    ).id
    const theirs = await registerSubprocessor(
      deps,
      { workspaceId: other, actor: platformAdmin.actor },
      {
        ...relay,
        name: 'Theirs BV',
        country: 'NL',
        endpoints: ['theirs.example'],
      },
    )
    assert.deepEqual(await guardTransfer(deps, { ...webhook(theirs.id), workspaceId: other }), {
      subprocessorId: theirs.id,
      ground: 'eea',
    })
    await assertRefused(webhook(theirs.id), 'unregistered')
    assert.equal((await lastRefusal()).workspaceId, workspaceId)
  })

  test('the mail relay sends nothing until registered with a DPA; a local relay is no transfer', async () => {
    const outbox = await mkdtemp(join(tmpdir(), 'custodian-guard-'))
    try {
      const transport = createOutboxTransport({
        directory: outbox,
        sender: { name: 'Custodian', address: 'no-reply@custodian.test' },
        clock: log.clock,
      })
      const mail = { to: 'ada@example.com', subject: 'Your code', text: 'Code: 123456' }
      const guarded = guardMailRelay(deps, 'smtps://user:secret@smtp.relay.example:465', transport)
      const before = await refusals()
      await assert.rejects(guarded.send(mail), { code: 'transfer_refused' })
      assert.equal(await refusals(), before + 1)
      const refusal = await lastRefusal()
      assert.equal(refusal.kind, 'mail')
      assert.equal(refusal.workspaceId, null)
      assert.deepEqual(await readdir(outbox), [], 'a refused message goes nowhere')
      await registerSubprocessor(deps, platformAdmin, relay)
      await guarded.send(mail)
      assert.equal((await readdir(outbox)).length, 1)
      const local = guardMailRelay(deps, 'smtp://127.0.0.1:2525?tls=off', transport)
      await local.send(mail)
      assert.equal((await readdir(outbox)).length, 2)
      assert.equal(guardMailRelay(deps, undefined, transport), transport, 'the outbox is local')
      await transport.close()
    } finally {
      await rm(outbox, { recursive: true, force: true })
    }
  })
})
