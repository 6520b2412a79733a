import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

// The email trait of an identify event is checked by the same rule as the contacts API:
// an international address makes the contact's email, a look-alike is left out.

for (const dialect of testDialects) {
  describe(
    `identify traits with international emails [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Shop')
      })
      after(async () => harness.close())

      const identify = async (externalId: string, email: string) => {
        // Tracking asks consent first: the person agreed to analytics.
        const granted = await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: bearer(tenant.secretKey),
          payload: { externalId, purpose: 'analytics', granted: true },
        })
        assert.equal(granted.statusCode, 201, granted.body)
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: bearer(tenant.secretKey),
          payload: { batch: [{ type: 'identify', externalId, traits: { email } }] },
        })
        assert.equal(response.json<{ accepted: number }>().accepted, 1, response.body)
      }
      const contactBy = async (query: string) =>
        (
          await harness.app.inject({
            url: `/v1/contacts?${query}`,
            headers: bearer(tenant.secretKey),
          })
        ).json<{ data: { id: string; email: string | null }[] }>().data

      test('an international email trait is the contact’s email, found by its A-label', async () => {
        await identify('user-jose', 'josé@bücher.de')
        const [contact] = await contactBy('externalId=user-jose')
        assert.equal(contact?.email, 'josé@bücher.de')
        const found = await contactBy(`email=${encodeURIComponent('josé@xn--bcher-kva.de')}`)
        assert.deepEqual(
          found.map((item) => item.id),
          [contact.id],
        )
      })

      test('a look-alike email trait is left out: the contact is made without it', async () => {
        await identify('user-spoof', 'billing@p\u0430ypal.com')
        const [contact] = await contactBy('externalId=user-spoof')
        assert.ok(contact)
        assert.equal(contact.email, null)
      })
    },
  )
}
