import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { runRetention } from './run-retention.js'

const day = 86_400_000
const start = '2026-01-01T10:00:00.000Z'

/**
 * Storage limitation with a moved clock: data made through the API at two moments, the
 * clock moved past one period and then another, and each run must take exactly what
 * expired, per source, and nothing else.
 */
for (const dialect of testDialects) {
  describe(`retention run with a moved clock [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, key?: string) =>
      harness.app.inject({
        method,
        url,
        headers: bearer(key ?? tenant.secretKey),
        ...(payload === undefined ? {} : { payload }),
      })
    const count = async (
      table: 'tracking_events' | 'contacts' | 'consent_events' | 'inbox_conversations',
    ) => {
      const row = await harness.storage.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('workspace_id', '=', tenant.workspaceId)
        .executeTakeFirstOrThrow()
      return Number(row.count)
    }
    const rowsOf = (outcomes: Awaited<ReturnType<typeof runRetention>>, rule: string) =>
      outcomes
        .filter((outcome) => outcome.rule === rule && outcome.workspaceId !== null)
        .reduce((sum, outcome) => sum + outcome.rows, 0)
    const ingest = async (anonymousId: string, events: number) => {
      const grant = await call(
        'POST',
        '/v1/consents',
        { anonymousId, purpose: 'analytics', granted: true },
        tenant.publicKey,
      )
      assert.equal(grant.statusCode, 201, grant.body)
      const batch = Array.from({ length: events }, (_, index) => ({
        type: 'page',
        anonymousId,
        url: `https://shop.example/${String(index)}`,
      }))
      const response = await call('POST', '/v1/events', { batch }, tenant.publicKey)
      assert.equal(response.json<{ accepted: number }>().accepted, events, response.body)
    }

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: start })
      tenant = await createTenant(harness, 'Retention Ltd')
    })
    after(async () => harness.close())

    test('each source purges exactly its expired rows, in batches, audited with counts', async () => {
      // Day 0: events, a contact, a consent given and withdrawn, one kept, a resolved and
      // an open conversation, a failed sign-in.
      await ingest('visitor-early', 3)
      assert.equal(
        (await call('POST', '/v1/contacts', { email: 'early@example.org' })).statusCode,
        201,
      )
      await call('POST', '/v1/consents', {
        anonymousId: 'visitor-w',
        purpose: 'marketing',
        granted: true,
      })
      await call('POST', '/v1/consents', {
        anonymousId: 'visitor-w',
        purpose: 'marketing',
        granted: false,
      })
      await call('POST', '/v1/consents', {
        anonymousId: 'visitor-k',
        purpose: 'marketing',
        granted: true,
      })
      const resolved = (
        await call('POST', '/v1/conversations', { anonymousId: 'visitor-early' })
      ).json<{ id: string }>()
      const open = (await call('POST', '/v1/conversations', { anonymousId: 'visitor-k' })).json<{
        id: string
      }>()
      // A message holding a flagged finding: its body is sealed under a key of its own.
      const flagged = await call('POST', `/v1/conversations/${resolved.id}/messages`, {
        body: 'My social security number is 536-22-8726, please update it',
        from: 'contact',
      })
      assert.equal(flagged.statusCode, 201, flagged.body)
      const bodyKey = await harness.storage.db
        .selectFrom('inbox_messages')
        .select(['body_key_id', 'subject_id'])
        .where('conversation_id', '=', resolved.id)
        .executeTakeFirstOrThrow()
      assert.notEqual(bodyKey.body_key_id, bodyKey.subject_id, 'sealed under its own holder')
      const keysOf = async (holder: string) =>
        (
          await harness.storage.db
            .selectFrom('subject_keys')
            .select('subject_id')
            .where('workspace_id', '=', tenant.workspaceId)
            .where('subject_id', '=', holder)
            .execute()
        ).length
      assert.ok((await keysOf(bodyKey.body_key_id)) > 0)
      assert.equal(
        (await call('PATCH', `/v1/conversations/${resolved.id}`, { state: 'resolved' })).statusCode,
        200,
      )
      const failed = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { workspaceId: tenant.workspaceId, email: tenant.owner.email, password: 'not it' },
      })
      assert.equal(failed.statusCode, 401)
      // Day 200: more events and a second contact.
      harness.clock.advance(200 * day)
      await ingest('visitor-late', 2)
      assert.equal(
        (await call('POST', '/v1/contacts', { email: 'late@example.org' })).statusCode,
        201,
      )
      const settings = await call('PATCH', '/v1/workspace', {
        settings: { retentionDays: { inactiveContacts: 300 } },
      })
      assert.equal(settings.statusCode, 200, settings.body)
      const consentEvents = await count('consent_events')

      // Day 400: past the events' 395 days for day 0, and 300 days of inactivity.
      harness.clock.advance(200 * day)
      const preview = await runRetention(harness.modules.retention, { dryRun: true })
      assert.equal(rowsOf(preview, 'tracking-events'), 3)
      assert.equal(rowsOf(preview, 'inactive-contacts'), 1)
      assert.equal(rowsOf(preview, 'consent-proof'), 0)
      assert.equal(rowsOf(preview, 'closed-conversations'), 0)
      assert.ok(preview.some((outcome) => outcome.rule === 'sign-in-attempts' && outcome.rows > 0))
      assert.ok(preview.some((outcome) => outcome.rule === 'ended-sessions' && outcome.rows > 0))
      assert.deepEqual(
        [await count('tracking_events'), await count('contacts')],
        [5, 2],
        'a dry run deletes nothing',
      )

      const ran = await runRetention(harness.modules.retention, { batchSize: 2 })
      assert.deepEqual(
        ran
          .filter((outcome) => outcome.workspaceId !== null)
          .map((outcome) => [outcome.rule, outcome.rows]),
        preview
          .filter((outcome) => outcome.workspaceId !== null)
          .map((outcome) => [outcome.rule, outcome.rows]),
      )
      assert.equal(ran.find((outcome) => outcome.rule === 'tracking-events')?.batches, 2)
      assert.equal(await count('tracking_events'), 2)
      assert.equal(await count('contacts'), 1)
      assert.equal(await count('consent_events'), consentEvents)
      assert.equal(await count('inbox_conversations'), 2)
      const again = await runRetention(harness.modules.retention, { dryRun: true })
      assert.deepEqual(
        again.filter((outcome) => outcome.rows > 0).map((outcome) => outcome.rule),
        [],
        'nothing expired is left',
      )

      // Day 1100: the withdrawn consent's proof (1095 days), the resolved conversation
      // (730), the day-200 events and contact; the kept consent and the open one stay.
      harness.clock.advance(700 * day)
      const later = await runRetention(harness.modules.retention)
      assert.equal(rowsOf(later, 'tracking-events'), 2)
      assert.equal(rowsOf(later, 'inactive-contacts'), 1)
      assert.equal(rowsOf(later, 'closed-conversations'), 1)
      assert.equal(rowsOf(later, 'consent-proof'), 2)
      assert.equal(await count('consent_events'), consentEvents - 2)
      const left = await call('GET', `/v1/conversations/${open.id}`)
      assert.equal(left.statusCode, 200)
      assert.equal((await call('GET', `/v1/conversations/${resolved.id}`)).statusCode, 404)
      assert.equal(await keysOf(bodyKey.body_key_id), 0, "the message's own key went with it")
      assert.ok((await keysOf(bodyKey.subject_id)) > 0, "the person's key stays")
      const kept = (await call('GET', '/v1/consents?anonymousId=visitor-k')).json<{
        purposes: { purpose: string; granted: boolean }[]
      }>()
      assert.equal(kept.purposes.find((item) => item.purpose === 'marketing')?.granted, true)

      // Audited with counts, never contents.
      const audit = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'retention.purged',
        limit: 50,
      })
      const byRule = audit.entries.map((entry) => [entry.details?.rule, entry.details?.rows])
      assert.deepEqual(
        byRule.filter(([rule]) => rule === 'tracking-events'),
        [
          ['tracking-events', 2],
          ['tracking-events', 3],
        ],
      )
      assert.doesNotMatch(JSON.stringify(audit.entries), /example\.org|shop\.example/)
    })
  })
}
