import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  password,
  signUpOperator,
  type SignedIn,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { runDetectionPass } from './detect.js'

const day = 86_400_000

/**
 * Normal traffic through the real app, read by the real detection pass: two agents sign
 * in each working morning from the office network (one mistyped password now and then),
 * read their contacts, the shop ingests events and the server key reads them. Twelve
 * days of it raise no alert; then one sign-in from another network does, through the
 * sealed IPs of the audit log.
 */
for (const dialect of testDialects) {
  describe(
    `detection over real normal traffic [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture
      const contacts: string[] = []

      before(async () => {
        harness = await buildTestApp({ dialect, startAt: '2026-03-02T08:00:00Z' })
        tenant = await createTenant(harness, 'Normal Day Ltd')
        for (let n = 0; n < 40; n++) {
          const made = await harness.app.inject({
            method: 'POST',
            url: '/v1/contacts',
            headers: bearer(tenant.secretKey),
            payload: { email: `customer-${String(n)}@example.org` },
          })
          contacts.push(made.json<{ id: string }>().id)
        }
        const consent = await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: bearer(tenant.publicKey),
          payload: { anonymousId: 'shopper', purpose: 'analytics', granted: true },
        })
        assert.equal(consent.statusCode, 201)
      })
      after(async () => harness.close())

      const login = async (agent: SignedIn, from: string, typo: boolean): Promise<SignedIn> => {
        if (typo) {
          await harness.app.inject({
            method: 'POST',
            url: '/v1/auth/login',
            remoteAddress: from,
            payload: { workspaceId: tenant.workspaceId, email: agent.email, password: 'typo' },
          })
        }
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          remoteAddress: from,
          payload: { workspaceId: tenant.workspaceId, email: agent.email, password },
        })
        assert.equal(response.statusCode, 200, response.body)
        // The session cookie, as a browser keeps it (agent.headers() names it the same way).
        const session = response.cookies.find((item) => item.name.endsWith('_session'))
        const cookie = `${session?.name ?? ''}=${session?.value ?? ''}`
        const { csrfToken } = response.json<{ csrfToken: string }>()
        return {
          ...agent,
          headers: () => ({ cookie, 'x-csrf-token': csrfToken }),
        }
      }

      test('twelve working days raise no alert; a sign-in from a new network does', async () => {
        const agents = [
          await signUpOperator(harness, tenant.workspaceId, 'agent'),
          await signUpOperator(harness, tenant.workspaceId, 'agent'),
        ]
        await runDetectionPass(harness.modules.breach)
        const raised: string[] = []
        for (let working = 0; working < 12; working++) {
          for (const [index, agent] of agents.entries()) {
            const session = await login(
              agent,
              `198.51.100.${String(10 + index)}`,
              working % 5 === index,
            )
            for (let read = 0; read < 15; read++) {
              const id = contacts[(working * 7 + index * 13 + read) % contacts.length] ?? ''
              const response = await harness.app.inject({
                url: `/v1/contacts/${id}`,
                headers: session.headers(),
              })
              assert.equal(response.statusCode, 200, response.body)
            }
          }
          for (let batch = 0; batch < 3; batch++) {
            await harness.app.inject({
              method: 'POST',
              url: '/v1/events',
              headers: bearer(tenant.publicKey),
              payload: {
                batch: [{ type: 'page', anonymousId: 'shopper', url: 'https://shop.example/' }],
              },
            })
          }
          await harness.app.inject({
            url: '/v1/events?limit=50',
            headers: bearer(tenant.secretKey),
          })
          raised.push(...(await runDetectionPass(harness.modules.breach)).alerts.map((a) => a.rule))
          harness.clock.advance(day)
        }
        assert.deepEqual(raised, [])

        const [first] = agents
        assert.ok(first)
        await login(first, '203.0.113.77', false)
        const pass = await runDetectionPass(harness.modules.breach)
        assert.deepEqual(
          pass.alerts.map((alert) => alert.rule),
          ['operator-network'],
        )
      })
    },
  )
}
