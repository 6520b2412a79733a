import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { bearer, createTenant, type TenantFixture } from './testing/fixtures.js'

for (const dialect of testDialects) {
  describe(`reading operators is audited [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Staff Co')
    })
    after(async () => harness.close())

    test('a list and a read each write one entry, by the reader, about the operator read', async () => {
      const headers = bearer(tenant.secretKey)
      const list = await harness.app.inject({ url: '/v1/operators', headers })
      assert.equal(list.statusCode, 200)
      const one = await harness.app.inject({
        url: `/v1/operators/${tenant.owner.operatorId}`,
        headers,
      })
      assert.equal(one.statusCode, 200)
      const listed = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'operator.listed',
      })
      assert.equal(listed.entries.length, 1)
      assert.equal(listed.entries[0]?.actor.type, 'api-key')
      const read = await harness.audit.listEntries(tenant.workspaceId, { action: 'operator.read' })
      assert.equal(read.entries.length, 1)
      assert.equal(read.entries[0]?.resource?.id, tenant.owner.operatorId)
    })
  })
}
