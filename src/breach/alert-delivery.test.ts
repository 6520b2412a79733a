import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createTenant, signUpOperator, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { maxDeliveryAttempts, retryDelayMinutes, runDetectionPass } from './detect.js'
import { failSignIns } from './testing/failed-sign-ins.js'
import { startTestWebhook, type TestWebhook } from './testing/webhook.js'

const minute = 60_000

test('a failed webhook is tried again after 1, 2, 4 … minutes, never more than an hour apart', () => {
  assert.deepEqual(
    Array.from({ length: maxDeliveryAttempts }, (_, index) => retryDelayMinutes(index + 1)),
    [1, 2, 4, 8, 16, 32, 60, 60],
  )
})

/**
 * The security channel is down when an alert is raised: the alert is kept as `failed`,
 * tried again on later passes once its delay has passed (not before), delivered when the
 * channel answers, and then never posted again.
 */
for (const dialect of testDialects) {
  describe(
    `an alert webhook that fails is tried again [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture
      let agent: { email: string }
      let webhook: TestWebhook

      before(async () => {
        webhook = await startTestWebhook()
        webhook.failing = true
        harness = await buildTestApp({
          dialect,
          startAt: '2026-05-04T09:00:00Z',
          env: { CUSTODIAN_ALERT_WEBHOOK_URL: webhook.url },
        })
        tenant = await createTenant(harness, 'Flaky Channel Ltd')
      })
      after(async () => {
        await harness.close()
        await webhook.close()
      })

      // The stored rows: sessions end after 30 idle minutes, and this test moves hours.
      const storedAlerts = async () =>
        harness.storage.db
          .selectFrom('breach_alerts')
          .select(['id', 'delivery', 'delivery_attempts', 'next_delivery_at'])
          .execute()
      const alerts = async () =>
        (await harness.app.inject({ url: '/v1/alerts', headers: tenant.owner.headers() })).json<{
          data: { id: string; delivery: string; deliveryAttempts: number }[]
        }>().data

      test('failed, not retried before its time, delivered once the channel answers', async () => {
        agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
        await runDetectionPass(harness.modules.breach)
        harness.clock.advance(minute)
        await failSignIns(
          harness,
          { workspaceId: tenant.workspaceId, email: agent.email },
          '203.0.113.9',
        )
        const raised = await runDetectionPass(harness.modules.breach)
        assert.equal(raised.alerts.length, 1)
        const [alert] = raised.alerts
        assert.deepEqual(
          (await alerts()).map((row) => [row.id, row.delivery, row.deliveryAttempts]),
          [[alert!.id, 'failed', 1]],
        )

        // Thirty seconds on: the one-minute delay has not passed, the channel is not tried.
        webhook.failing = false
        harness.clock.advance(30_000)
        await runDetectionPass(harness.modules.breach)
        assert.equal(webhook.received.length, 0)
        assert.equal((await alerts())[0]?.deliveryAttempts, 1)

        // Past it, with the channel back: delivered on the second try.
        harness.clock.advance(31_000)
        await runDetectionPass(harness.modules.breach)
        assert.deepEqual(
          (webhook.received as Array<{ id: string }>).map((body) => body.id),
          [alert!.id],
        )
        assert.deepEqual(
          (await alerts()).map((row) => [row.delivery, row.deliveryAttempts]),
          [['delivered', 2]],
        )

        // Delivered is done: later passes post nothing more.
        harness.clock.advance(120 * minute)
        await runDetectionPass(harness.modules.breach)
        assert.equal(webhook.received.length, 1)
      })

      test('a channel that stays down is given up after the last try, and the alert stays listed as failed', async () => {
        webhook.failing = true
        harness.clock.advance(60 * minute)
        await failSignIns(
          harness,
          { workspaceId: tenant.workspaceId, email: agent.email },
          '198.51.100.7',
          5_000,
        )
        await runDetectionPass(harness.modules.breach)
        const failed = (await storedAlerts()).filter((row) => row.delivery === 'failed')
        assert.ok(failed.length >= 1, 'a new alert, not delivered')
        for (let pass = 0; pass < 20; pass++) {
          harness.clock.advance(61 * minute)
          await runDetectionPass(harness.modules.breach)
        }
        const after = (await storedAlerts()).filter((row) => row.delivery === 'failed')
        assert.deepEqual(
          after.map((row) => [row.delivery_attempts, row.next_delivery_at]),
          failed.map(() => [maxDeliveryAttempts, null]),
        )
        assert.equal(webhook.received.length, 1, 'nothing else reached the channel')
      })
    },
  )
}
