import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../testing/test-app.js'
import type { DataMap } from './data-map.schema.js'

const loyaltyCategory = {
  label: 'Loyalty points',
  description: 'Points a customer collects with each purchase',
  specialCategory: false,
  dataSubjects: ['Customers of the loyalty programme'],
  purposes: ['Running the loyalty programme'],
  lawfulBases: ['contract'],
  retention: 'Until the membership ends, then 12 months',
  systems: ['Loyalty service'],
  recipients: ['Loyalty platform (sub-processor)'],
  source: 'Purchases the customer makes',
  requirement: 'Required to take part in the programme',
}

for (const dialect of testDialects) {
  describe(`the data map over the API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let other: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Map Ltd')
      other = await createTenant(harness, 'Other Map Ltd')
    })
    after(async () => harness.close())

    const mapOf = async (key: string) => {
      const response = await harness.app.inject({ url: '/v1/data-map', headers: bearer(key) })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<DataMap>()
    }
    const put = (key: string, name: string, payload: object) =>
      harness.app.inject({
        method: 'PUT',
        url: `/v1/data-map/categories/${name}`,
        headers: bearer(key),
        payload,
      })

    test("shows the instance's categories, then adds the workspace's own, for it alone", async () => {
      const before = await mapOf(tenant.secretKey)
      assert.ok(before.categories.every((category) => category.origin === 'instance'))
      assert.ok(before.categories.some((category) => category.name === 'browsing'))
      const saved = await put(tenant.secretKey, 'loyalty-points', loyaltyCategory)
      assert.equal(saved.statusCode, 200, saved.body)
      const after = await mapOf(tenant.secretKey)
      assert.deepEqual(after.categories.at(-1), {
        name: 'loyalty-points',
        origin: 'workspace',
        ...loyaltyCategory,
      })
      assert.equal(
        (await mapOf(other.secretKey)).categories.some(
          (category) => category.name === 'loyalty-points',
        ),
        false,
      )
      const replaced = await put(tenant.secretKey, 'loyalty-points', {
        ...loyaltyCategory,
        retention: '6 months after the membership ends',
      })
      assert.equal(replaced.json().retention, '6 months after the membership ends')
      assert.equal((await mapOf(tenant.secretKey)).categories.length, before.categories.length + 1)
    })

    test('refuses to replace an instance category, or legitimate interests without the interests', async () => {
      const shadow = await put(tenant.secretKey, 'browsing', loyaltyCategory)
      assert.equal(shadow.statusCode, 409, shadow.body)
      const unstated = await put(tenant.secretKey, 'fraud-signals', {
        ...loyaltyCategory,
        lawfulBases: ['legitimate-interests'],
      })
      assert.equal(unstated.statusCode, 400, unstated.body)
      const badName = await put(tenant.secretKey, 'Bad_Name', loyaltyCategory)
      assert.equal(badName.statusCode, 400)
    })

    test('removes a category of its own; another workspace cannot', async () => {
      await put(tenant.secretKey, 'newsletter-history', loyaltyCategory)
      const foreign = await harness.app.inject({
        method: 'DELETE',
        url: '/v1/data-map/categories/newsletter-history',
        headers: bearer(other.secretKey),
      })
      assert.equal(foreign.statusCode, 404)
      const removed = await harness.app.inject({
        method: 'DELETE',
        url: '/v1/data-map/categories/newsletter-history',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(removed.statusCode, 204, removed.body)
      assert.equal(
        (await mapOf(tenant.secretKey)).categories.some(
          (category) => category.name === 'newsletter-history',
        ),
        false,
      )
    })
  })
}
