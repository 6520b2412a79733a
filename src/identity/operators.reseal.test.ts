import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { getOperator } from './operators.service.js'
import { createTenant, type TenantFixture } from './testing/fixtures.js'

for (const dialect of testDialects) {
  describe(`operator data under key rotation [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Rotation Co')
    })
    after(async () => harness.close())

    test('rotation with reseal re-encrypts operator fields and every one still opens', async () => {
      const deps = harness.modules.identity
      const before = await harness.storage.db
        .selectFrom('operators')
        .select(['email', 'totp_secret'])
        .where('id', '=', tenant.owner.operatorId)
        .executeTakeFirstOrThrow()
      const rotations = await harness.keyring.rotate({
        workspaceId: tenant.workspaceId,
        reseal: true,
      })
      assert.equal(rotations.length, 1)
      const after = await harness.storage.db
        .selectFrom('operators')
        .select(['email', 'totp_secret'])
        .where('id', '=', tenant.owner.operatorId)
        .executeTakeFirstOrThrow()
      assert.notDeepEqual(after.email, before.email, 'the email was re-sealed')
      const operator = await getOperator(deps, tenant.workspaceId, tenant.owner.operatorId)
      assert.equal(operator.email, tenant.owner.email)
      assert.equal(operator.twoFactorEnabled, true)
    })
  })
}
