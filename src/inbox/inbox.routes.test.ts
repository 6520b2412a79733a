import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setAutomatedDecisionOptOut, setObjection, setRestriction } from '../consent/index.js'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

const card = '4111 1111 1111 1111'
const iban = 'DE89 3704 0044 0532 0130 00'

for (const dialect of testDialects) {
  describe(`the inbox over the API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let directory: string

    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'custodian-directory-'))
      const file = join(directory, 'people.jsonl')
      writeFileSync(
        file,
        `${JSON.stringify({ email: 'grace@example.com', name: 'Grace Hopper', company: 'Navy' })}\n`,
      )
      harness = await buildTestApp({ dialect, env: { CUSTODIAN_ENRICHMENT_DIRECTORY: file } })
      tenant = await createTenant(harness, 'Inbox Co')
    })
    after(async () => {
      await harness.close()
      rmSync(directory, { recursive: true, force: true })
    })

    async function call(
      method: 'GET' | 'POST' | 'PATCH',
      url: string,
      headers: Record<string, string>,
      payload?: object,
    ) {
      return harness.app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
    }
    const staff = () => bearer(tenant.secretKey)
    const visitor = (token?: string) => ({
      ...bearer(tenant.publicKey),
      ...(token === undefined ? {} : { 'x-visitor-token': token }),
    })

    async function startVisitor(anonymousId: string) {
      const started = await call('POST', '/v1/conversations', visitor(), { anonymousId })
      assert.equal(started.statusCode, 201, started.body)
      return started.json<{ id: string; visitorToken: string }>()
    }

    test('a visitor starts a conversation, gets a token once, and writes with it; cards and IBANs never stored', async () => {
      const { id, visitorToken } = await startVisitor('anon-visitor-one')
      assert.ok(visitorToken.length > 20)
      const posted = await call('POST', `/v1/conversations/${id}/messages`, visitor(visitorToken), {
        body: `Hi, my card ${card} was charged twice, refund to ${iban} please`,
        from: 'contact',
      })
      assert.equal(posted.statusCode, 201, posted.body)
      const message = posted.json<{ body: string; findings?: unknown[] }>()
      assert.equal(
        message.body,
        'Hi, my card [redacted: card] was charged twice, refund to [redacted: iban] please',
      )
      assert.equal(message.findings, undefined, 'a visitor is shown no findings')
      // Without the token the anonymous id alone no longer opens or starts anything.
      const again = await call('POST', '/v1/conversations', visitor(), {
        anonymousId: 'anon-visitor-one',
      })
      assert.equal(again.statusCode, 403)
      const withToken = await call('POST', '/v1/conversations', visitor(visitorToken), {
        anonymousId: 'anon-visitor-one',
      })
      assert.equal(withToken.statusCode, 201, withToken.body)
      const read = await call('GET', `/v1/conversations/${id}/messages`, visitor(visitorToken))
      assert.equal(read.statusCode, 200, read.body)
      assert.equal(read.json<{ data: { body: string }[] }>().data[0]?.body, message.body)
      // Staff see the findings: kind and place, never the value.
      const staffRead = await call('GET', `/v1/conversations/${id}/messages`, staff())
      const findings = staffRead.json<{
        data: { findings: { kind: string; status: string }[] }[]
      }>().data[0]?.findings
      assert.deepEqual(
        findings?.map((finding) => [finding.kind, finding.status]),
        [
          ['card', 'redacted'],
          ['iban', 'redacted'],
        ],
      )
      const stored = await dumpStore(harness.storage)
      for (const value of [card, card.replaceAll(' ', ''), iban.replaceAll(' ', '')]) {
        for (const encoded of encodingsOf(value)) assert.ok(!stored.includes(encoded), value)
      }
      const log = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'inbox.message_redacted',
      })
      assert.deepEqual(log.entries[0]?.details, { kinds: 'card,iban', count: 2, automatic: true })
    })

    test("the public key cannot read another visitor's conversation", async () => {
      const ones = await startVisitor('anon-visitor-a')
      const twos = await startVisitor('anon-visitor-b')
      await call('POST', `/v1/conversations/${ones.id}/messages`, visitor(ones.visitorToken), {
        body: 'private words of visitor a',
        from: 'contact',
      })
      for (const [method, url] of [
        ['GET', `/v1/conversations/${ones.id}`],
        ['GET', `/v1/conversations/${ones.id}/messages`],
        ['POST', `/v1/conversations/${ones.id}/messages`],
      ] as const) {
        for (const headers of [visitor(twos.visitorToken), visitor()]) {
          const response = await call(
            method,
            url,
            headers,
            method === 'POST' ? { body: 'x', from: 'contact' } : undefined,
          )
          assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`)
          assert.ok(!response.body.includes('private words'))
        }
      }
      const forged = await call(
        'GET',
        `/v1/conversations/${ones.id}`,
        visitor(`${twos.visitorToken.split('.')[0]}.AAAA`),
      )
      assert.equal(forged.statusCode, 403)
      const listed = await call('GET', '/v1/conversations', visitor(twos.visitorToken))
      assert.deepEqual(
        listed.json<{ data: { id: string }[] }>().data.map((item) => item.id),
        [twos.id],
      )
      const operatorOnly = await call(
        'PATCH',
        `/v1/conversations/${twos.id}`,
        visitor(twos.visitorToken),
        {
          state: 'resolved',
        },
      )
      assert.equal(operatorOnly.statusCode, 403)
    })

    test('staff list by state, assignee and person, snooze, resolve and assign; reads are audited', async () => {
      const contact = await call('POST', '/v1/contacts', staff(), {
        email: 'lin@example.com',
        name: 'Lin',
      })
      const contactId = contact.json<{ id: string }>().id
      const started = await call('POST', '/v1/conversations', staff(), { contactId })
      assert.equal(started.statusCode, 201, started.body)
      const { id, visitorToken } = started.json<{ id: string; visitorToken: string | null }>()
      assert.equal(visitorToken, null)
      const snoozed = await call('PATCH', `/v1/conversations/${id}`, staff(), {
        state: 'snoozed',
        snoozedUntil: new Date(harness.clock.now().getTime() + 86_400_000).toISOString(),
        assigneeId: tenant.owner.operatorId,
      })
      assert.equal(snoozed.statusCode, 200, snoozed.body)
      assert.equal(snoozed.json<{ state: string }>().state, 'snoozed')
      const list = async (query: string) =>
        (await call('GET', `/v1/conversations?${query}`, staff()))
          .json<{ data: { id: string }[] }>()
          .data.map((item) => item.id)
      assert.deepEqual(await list('state=snoozed'), [id])
      assert.deepEqual(await list(`assigneeId=${tenant.owner.operatorId}`), [id])
      assert.deepEqual(await list(`contactId=${contactId}`), [id])
      // The person writing again brings it back.
      await call('POST', `/v1/conversations/${id}/messages`, staff(), {
        body: 'Hello again',
        from: 'contact',
      })
      assert.deepEqual(await list('state=snoozed'), [])
      const resolved = await call('PATCH', `/v1/conversations/${id}`, staff(), {
        state: 'resolved',
        assigneeId: null,
      })
      assert.deepEqual(
        [
          resolved.json<{ state: string }>().state,
          resolved.json<{ assigneeId: null }>().assigneeId,
        ],
        ['resolved', null],
      )
      const badSnooze = await call('PATCH', `/v1/conversations/${id}`, staff(), {
        state: 'snoozed',
      })
      assert.equal(badSnooze.statusCode, 400)
      await call('GET', `/v1/conversations/${id}/messages`, staff())
      const reads = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'inbox.messages_read',
      })
      assert.ok(reads.entries.some((entry) => entry.resource?.id === id))
    })

    test('a snoozed conversation opens again when its snooze ends (the job), audited as the system', async () => {
      const { id } = await startVisitor('anon-visitor-snooze')
      const until = new Date(harness.clock.now().getTime() + 3_600_000).toISOString()
      const snoozed = await call('PATCH', `/v1/conversations/${id}`, staff(), {
        state: 'snoozed',
        snoozedUntil: until,
      })
      assert.equal(snoozed.statusCode, 200, snoozed.body)
      const job = harness.modules.jobs.find((item) => item.name === 'inbox-wake-snoozed')
      assert.ok(job)
      assert.equal(await job.run(), '0 conversations woken', 'not before its time')
      harness.clock.advance(3_600_000)
      try {
        assert.equal(await job.run(), '1 conversations woken')
        const woken = (await call('GET', `/v1/conversations/${id}`, staff())).json<{
          state: string
          snoozedUntil: string | null
        }>()
        assert.deepEqual([woken.state, woken.snoozedUntil], ['open', null])
        const log = await harness.audit.listEntries(tenant.workspaceId, {
          action: 'inbox.conversation_changed',
        })
        const entry = log.entries.find(
          (item) => item.resource?.id === id && item.actor.type === 'system',
        )
        assert.deepEqual(entry?.details, { fields: 'state', state: 'open' })
      } finally {
        harness.clock.advance(-3_600_000)
      }
    })

    test('a conversation is assigned only to an active operator of its workspace, and the refusal echoes nothing', async () => {
      const started = await startVisitor('anon-visitor-assign')
      const other = await createTenant(harness, 'Other Inbox Co')
      const stranger = '01890a5d-ac96-774b-bcce-b302099a8057'
      const colleague = await signUpOperator(harness, tenant.workspaceId, 'agent')
      await harness.storage.db
        .updateTable('operators')
        .set({ disabled_at: harness.clock.now().toISOString() })
        .where('id', '=', colleague.operatorId)
        .execute()
      for (const assigneeId of [other.owner.operatorId, stranger, colleague.operatorId]) {
        const refused = await call('PATCH', `/v1/conversations/${started.id}`, staff(), {
          assigneeId,
        })
        assert.equal(refused.statusCode, 400, refused.body)
        assert.ok(!refused.body.includes(assigneeId), 'the problem does not echo the id')
        assert.deepEqual(
          refused.json<{ errors: { field: string }[] }>().errors.map((error) => error.field),
          ['assigneeId'],
        )
      }
      const unchanged = await call('GET', `/v1/conversations/${started.id}`, staff())
      assert.equal(unchanged.json<{ assigneeId: string | null }>().assigneeId, null)
      const assigned = await call('PATCH', `/v1/conversations/${started.id}`, staff(), {
        assigneeId: tenant.owner.operatorId,
      })
      assert.equal(assigned.statusCode, 200, assigned.body)
      assert.equal(assigned.json<{ assigneeId: string }>().assigneeId, tenant.owner.operatorId)
    })

    test('redaction keeps a placeholder, destroys the original’s key, and leaves no byte of it in the store', async () => {
      const contact = await call('POST', '/v1/contacts', staff(), { email: 'red@example.com' })
      const started = await call('POST', '/v1/conversations', staff(), {
        contactId: contact.json<{ id: string }>().id,
      })
      const conversationId = started.json<{ id: string }>().id
      // An operator's message is not redacted on write: the finding waits for a decision.
      const posted = await call('POST', `/v1/conversations/${conversationId}/messages`, staff(), {
        body: `Card on file: ${card}. Thanks!`,
        from: 'operator',
      })
      const message = posted.json<{ id: string; findings: { status: string }[] }>()
      assert.deepEqual(
        message.findings.map((finding) => finding.status),
        ['flagged'],
      )
      const before = await harness.storage.db
        .selectFrom('inbox_messages')
        .select(['body', 'body_key_id', 'subject_id'])
        .where('id', '=', message.id)
        .executeTakeFirstOrThrow()
      assert.notEqual(
        before.body_key_id,
        before.subject_id,
        'a body with a finding has its own key',
      )
      const oldKey = await harness.storage.db
        .selectFrom('subject_keys')
        .select('wrapped_key')
        .where('subject_id', '=', before.body_key_id)
        .executeTakeFirstOrThrow()

      const redacted = await call('POST', `/v1/messages/${message.id}/redactions`, staff(), {})
      assert.equal(redacted.statusCode, 200, redacted.body)
      assert.equal(
        redacted.json<{ body: string }>().body,
        'Card on file: [redacted: card]. Thanks!',
      )
      const after = await harness.storage.db
        .selectFrom('inbox_messages')
        .select(['body_key_id'])
        .where('id', '=', message.id)
        .executeTakeFirstOrThrow()
      assert.equal(after.body_key_id, before.subject_id, 'nothing left to redact: the person’s key')
      const cell = {
        workspaceId: tenant.workspaceId,
        subjectId: before.body_key_id,
        table: 'inbox_messages',
        column: 'body',
        rowId: message.id,
      }
      await assert.rejects(harness.keyring.open(cell, before.body), { code: 'subject_erased' })
      const stored = await dumpStore(harness.storage)
      for (const value of [card, card.replaceAll(' ', '')]) {
        for (const encoded of encodingsOf(value)) assert.ok(!stored.includes(encoded), value)
      }
      assert.ok(!stored.includes(before.body), 'the sealed original is gone from the file and WAL')
      assert.ok(!stored.includes(oldKey.wrapped_key), 'and so is its wrapped key')
      const again = await call('POST', `/v1/messages/${message.id}/redactions`, staff(), {})
      assert.equal(again.statusCode, 409)
      const log = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'inbox.message_redacted',
      })
      assert.ok(
        log.entries.some(
          (entry) => entry.resource?.id === message.id && entry.details?.automatic === false,
        ),
      )
      // The whole number: entry ids and hashes may hold any four digits by chance.
      for (const value of [card, card.replaceAll(' ', '')]) {
        assert.ok(!JSON.stringify(log.entries).includes(value))
      }
    })

    test('enrichment records provenance and reads back audited; it is refused and audited after an objection, a restriction or the automated-decision opt-out', async () => {
      const contact = await call('POST', '/v1/contacts', staff(), {
        email: 'grace@example.com',
        externalId: 'grace-1',
      })
      const started = await call('POST', '/v1/conversations', staff(), {
        contactId: contact.json<{ id: string }>().id,
      })
      const url = `/v1/conversations/${started.json<{ id: string }>().id}/enrichment`
      const refused = await call('POST', url, staff(), { provider: 'directory' })
      assert.equal(refused.statusCode, 403, 'enrichment is on consent: none given yet')
      await call('POST', '/v1/consents', staff(), {
        externalId: 'grace-1',
        purpose: 'enrichment',
        granted: true,
      })
      const enriched = await call('POST', url, staff(), { provider: 'directory' })
      assert.equal(enriched.statusCode, 200, enriched.body)
      const fields = enriched.json<{
        data: {
          field: string
          value: string
          source: string
          lawfulBasis: string
          resolvedAt: string
        }[]
      }>().data
      assert.deepEqual(
        fields.map((item) => [item.field, item.value, item.source, item.lawfulBasis]),
        [
          ['name', 'Grace Hopper', 'directory', 'consent'],
          ['company', 'Navy', 'directory', 'consent'],
        ],
      )
      // The stored enrichment reads back with its provenance, and the read is audited.
      const stored = await call('GET', url, staff())
      assert.equal(stored.statusCode, 200, stored.body)
      assert.deepEqual(
        stored
          .json<{
            data: {
              field: string
              value: string
              source: string
              lawfulBasis: string
              resolvedAt: string
            }[]
          }>()
          .data.map((item) => [
            item.field,
            item.value,
            item.source,
            item.lawfulBasis,
            item.resolvedAt,
          ]),
        fields.map((item) => [
          item.field,
          item.value,
          item.source,
          item.lawfulBasis,
          item.resolvedAt,
        ]),
      )
      const readLog = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'inbox.enrichment_read',
      })
      assert.deepEqual(
        readLog.entries.map((entry) => [entry.resource?.id, entry.details?.count]),
        [[started.json<{ id: string }>().id, 2]],
      )
      assert.ok(!JSON.stringify(readLog.entries).includes('Grace'), 'no value in the audit log')
      const byVisitor = await call('GET', url, visitor())
      assert.ok([403, 404].includes(byVisitor.statusCode), byVisitor.body)
      await setObjection(harness.modules.consent, {
        workspaceId: tenant.workspaceId,
        subject: { externalId: 'grace-1' },
        purpose: 'enrichment',
        objected: true,
        context: { source: 'api', actor: { actorType: 'system', actorId: null } },
      })
      const objected = await call('POST', url, staff(), { provider: 'directory' })
      assert.equal(objected.statusCode, 403, objected.body)
      assert.equal(objected.json<{ code: string }>().code, 'consent_denied')
      // The objection withdrawn, a restriction (Art. 18) stops it, and so does the
      // automated-decision opt-out (Art. 22: enrichment evaluates the person by itself).
      const signal = { workspaceId: tenant.workspaceId, subject: { externalId: 'grace-1' } }
      const system = {
        source: 'api' as const,
        actor: { actorType: 'system' as const, actorId: null },
      }
      await setObjection(harness.modules.consent, {
        ...signal,
        purpose: 'enrichment',
        objected: false,
        context: system,
      })
      await setRestriction(harness.modules.consent, {
        ...signal,
        restricted: true,
        context: system,
      })
      const restricted = await call('POST', url, staff(), { provider: 'directory' })
      assert.equal(restricted.statusCode, 403, restricted.body)
      await setRestriction(harness.modules.consent, {
        ...signal,
        restricted: false,
        context: system,
      })
      await setAutomatedDecisionOptOut(harness.modules.consent, {
        ...signal,
        optedOut: true,
        context: system,
      })
      const optedOut = await call('POST', url, staff(), { provider: 'directory' })
      assert.equal(optedOut.statusCode, 403, optedOut.body)
      const log = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'inbox.enrichment_refused',
      })
      assert.deepEqual(
        log.entries.map((entry) => entry.details?.reason),
        ['automated_decision_opt_out', 'restricted', 'objected', 'no_consent'],
      )
      const unknown = await call('POST', url, staff(), { provider: 'http:nowhere.example' })
      assert.equal(unknown.statusCode, 404)
    })
  })
}
