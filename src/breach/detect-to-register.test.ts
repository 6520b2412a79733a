import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  password,
  signIn,
  signUpOperator,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { runDetectionPass } from './detect.js'
import { failSignIns } from './testing/failed-sign-ins.js'
import { startTestWebhook, type TestWebhook } from './testing/webhook.js'

const minute = 60_000

/**
 * End to end, in process: a burst of failed sign-ins against an agent's account opens
 * an alert (log line, audit entry, webhook) and an incident; the attacker then gets in
 * and reads contacts; the incident's affected subjects are counted from the agent's
 * audit trail and its authority notice draft names the categories and the counts.
 */
for (const dialect of testDialects) {
  describe(
    `from a burst of failed sign-ins to an incident [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture
      let webhook: TestWebhook

      before(async () => {
        webhook = await startTestWebhook()
        harness = await buildTestApp({
          dialect,
          startAt: '2026-05-04T09:00:00Z',
          env: { CUSTODIAN_ALERT_WEBHOOK_URL: webhook.url },
        })
        tenant = await createTenant(harness, 'Burst Ltd')
      })
      after(async () => {
        await harness.close()
        await webhook.close()
      })

      test('an alert, an incident, the affected subjects and the authority notice draft', async () => {
        const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
        const contactIds: string[] = []
        for (const name of ['Ada', 'Grace', 'Edsger', 'Barbara']) {
          const made = await harness.app.inject({
            method: 'POST',
            url: '/v1/contacts',
            headers: bearer(tenant.secretKey),
            payload: { email: `${name.toLowerCase()}@example.org`, name },
          })
          assert.equal(made.statusCode, 201, made.body)
          contactIds.push(made.json<{ id: string }>().id)
        }
        // The first pass starts at the head: what came before is `audit verify`'s to walk.
        const first = await runDetectionPass(harness.modules.breach)
        assert.deepEqual(first.alerts, [])

        harness.clock.advance(minute)
        await failSignIns(
          harness,
          { workspaceId: tenant.workspaceId, email: agent.email },
          '203.0.113.9',
        )
        const pass = await runDetectionPass(harness.modules.breach)
        assert.deepEqual(
          pass.alerts.map((alert) => alert.rule),
          ['failed-logins-account'],
        )
        assert.equal(pass.incidents, 1)
        // A second pass reads on from its cursor: nothing new, no second alert.
        assert.deepEqual((await runDetectionPass(harness.modules.breach)).alerts, [])

        // The log line, the webhook (through the transfer guard: loopback is local), the API.
        assert.ok(harness.logs.lines().some((line) => line.msg === 'breach alert'))
        assert.equal(webhook.received.length, 1)
        assert.equal((webhook.received[0] as { rule: string }).rule, 'failed-logins-account')
        const owner = tenant.owner
        const alerts = (
          await harness.app.inject({ url: '/v1/alerts', headers: owner.headers() })
        ).json<{
          data: {
            rule: string
            incidentId: string | null
            delivery: string
            evidence: { count: number }
          }[]
        }>()
        assert.equal(alerts.data.length, 1)
        const [alert] = alerts.data
        assert.ok(alert)
        assert.equal(alert.delivery, 'delivered')
        assert.equal(alert.evidence.count, 5)
        const incidentId = alert.incidentId
        assert.ok(incidentId !== null)

        // The lock lapses; the attacker has the password after all and reads three people.
        harness.clock.advance(20 * minute)
        const attacker = await signIn(harness, tenant.workspaceId, agent.email, agent.operatorId, {
          password,
        })
        for (const id of contactIds.slice(0, 3)) {
          const read = await harness.app.inject({
            url: `/v1/contacts/${id}`,
            headers: attacker.headers(),
          })
          assert.equal(read.statusCode, 200, read.body)
        }
        await harness.app.inject({
          url: `/v1/contacts/${contactIds[0] ?? ''}`,
          headers: attacker.headers(),
        })

        const affected = await harness.app.inject({
          method: 'POST',
          url: `/v1/breaches/${incidentId}/affected`,
          headers: owner.headers(),
        })
        assert.equal(affected.statusCode, 200, affected.body)
        const counted = affected.json<{
          subjects: number
          records: number
          categories: string[]
          subjectRefs: string[]
        }>()
        assert.equal(counted.subjects, 3)
        assert.equal(counted.records, 4)
        assert.deepEqual(counted.categories, ['contact-profile', 'identifiers'])
        // Counted by blind reference: no address or name in the answer.
        assert.doesNotMatch(affected.body, /example\.org|Ada|Grace/)

        const drafts = (
          await harness.app.inject({
            url: `/v1/breaches/${incidentId}/drafts`,
            headers: owner.headers(),
          })
        ).json<{ authorityNotice: string }>()
        assert.match(
          drafts.authorityNotice,
          /Categories of personal data concerned: contact-profile, identifiers/,
        )
        assert.match(drafts.authorityNotice, /Data subjects concerned: approximately 3/)
        assert.match(drafts.authorityNotice, /Personal data records concerned: approximately 4/)

        // Only an operator allowed to export opens who they are; each read is audited.
        const revealed = await harness.app.inject({
          method: 'POST',
          url: `/v1/breaches/${incidentId}/affected/reveal`,
          headers: owner.headers(),
        })
        assert.equal(revealed.statusCode, 200, revealed.body)
        assert.deepEqual(
          revealed
            .json<{ contacts: { email: string }[] }>()
            .contacts.map((contact) => contact.email)
            .sort(),
          ['ada@example.org', 'edsger@example.org', 'grace@example.org'],
        )
        const agentRefused = await harness.app.inject({
          method: 'POST',
          url: `/v1/breaches/${incidentId}/affected/reveal`,
          headers: attacker.headers(),
        })
        assert.equal(agentRefused.statusCode, 403)
        const audit = await harness.audit.listEntries(tenant.workspaceId, { limit: 100 })
        const actions = new Set(audit.entries.map((entry) => entry.action))
        for (const action of [
          'breach.alert_raised',
          'breach.incident_opened',
          'breach.affected_computed',
          'breach.affected_revealed',
        ]) {
          assert.ok(actions.has(action), action)
        }
      })
    },
  )
}
