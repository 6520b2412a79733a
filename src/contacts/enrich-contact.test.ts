import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

for (const dialect of testDialects) {
  describe(`contact enrichment [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Enrich Co')
    })
    after(async () => harness.close())

    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      harness.app.inject({
        method,
        url,
        headers: bearer(tenant.secretKey),
        ...(payload ? { payload } : {}),
      })

    test('refused without consent to enrichment, stored with provenance once granted', async () => {
      const { id } = (
        await call('POST', '/v1/contacts', { externalId: 'enrich-1', email: 'enrich@example.com' })
      ).json<{ id: string }>()
      const body = {
        source: 'linkedin',
        fields: { company: 'Analytical Engines Ltd', jobTitle: 'Engineer' },
      }

      const refused = await call('POST', `/v1/contacts/${id}/enrichment`, body)
      assert.equal(refused.statusCode, 403)
      assert.equal(refused.json().code, 'consent_denied')
      assert.deepEqual(
        (await call('GET', `/v1/contacts/${id}`)).json().enrichment,
        {},
        'nothing stored on refusal',
      )

      const consent = await call('POST', '/v1/consents', {
        externalId: 'enrich-1',
        purpose: 'enrichment',
        granted: true,
      })
      assert.ok(consent.statusCode < 300, consent.body)
      harness.clock.advance(1000)
      const enriched = await call('POST', `/v1/contacts/${id}/enrichment`, body)
      assert.equal(enriched.statusCode, 200, enriched.body)
      const company = enriched.json().enrichment.company
      assert.equal(company.value, 'Analytical Engines Ltd')
      assert.equal(company.source, 'linkedin')
      assert.equal(company.lawfulBasis, 'consent')
      assert.equal(company.collectedAt, harness.clock.now().toISOString())
      assert.equal(
        (await call('GET', `/v1/contacts/${id}`)).json().enrichment.jobTitle.value,
        'Engineer',
      )
    })

    test('withdrawing consent stops further enrichment at once', async () => {
      const { id } = (await call('POST', '/v1/contacts', { externalId: 'enrich-2' })).json<{
        id: string
      }>()
      await call('POST', '/v1/consents', {
        externalId: 'enrich-2',
        purpose: 'enrichment',
        granted: true,
      })
      await call('POST', '/v1/consents', {
        externalId: 'enrich-2',
        purpose: 'enrichment',
        granted: false,
      })
      const refused = await call('POST', `/v1/contacts/${id}/enrichment`, {
        source: 'clearbit',
        fields: { company: 'X' },
      })
      assert.equal(refused.statusCode, 403)
    })
  })
}
