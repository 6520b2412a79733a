import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

for (const dialect of testDialects) {
  describe(`identify and the audit log [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Quiet Co')
    })
    after(async () => harness.close())

    test('identifying a visitor as a known contact records no read of the contact', async () => {
      const created = await harness.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: bearer(tenant.secretKey),
        payload: { externalId: 'known-7', name: 'Known Seven' },
      })
      assert.equal(created.statusCode, 201)
      const granted = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.publicKey),
        payload: { anonymousId: 'anon-known-7', purpose: 'analytics', granted: true },
      })
      assert.equal(granted.statusCode, 201)
      const identify = { type: 'identify', anonymousId: 'anon-known-7', externalId: 'known-7' }
      const ingested = await harness.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: bearer(tenant.secretKey),
        payload: { batch: [identify] },
      })
      assert.equal(ingested.json<{ accepted: number }>().accepted, 1)
      const reads = await harness.audit.listEntries(tenant.workspaceId, { action: 'contact.read' })
      assert.deepEqual(reads.entries, [], 'identify opened nothing, so it reads nothing')
    })
  })
}
