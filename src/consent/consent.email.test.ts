import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

// Consent recorded and read by an international email address (RFC 6531): one data
// subject whichever spelling of the address names them; look-alikes refused.

interface ConsentsView {
  subjectId: string | null
  history: { action: string; purpose: string | null }[]
}

for (const dialect of testDialects) {
  describe(`consents by international email [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Tenant')
    })
    after(async () => harness.close())

    const grant = (email: string) => {
      harness.clock.advance(1000)
      return harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.secretKey),
        payload: { email, purpose: 'analytics', granted: true },
      })
    }
    const read = (email: string) =>
      harness.app.inject({
        url: `/v1/consents?email=${encodeURIComponent(email)}`,
        headers: bearer(tenant.secretKey),
      })

    test('a grant by josé@example.com is read back by the same address in any normal form', async () => {
      const granted = await grant('josé@example.com')
      assert.equal(granted.statusCode, 201, granted.body)
      const subjectId = granted.json<{ subjectId: string }>().subjectId
      for (const spelling of ['josé@example.com', 'JOSE\u0301@Example.com']) {
        const view = await read(spelling)
        assert.equal(view.statusCode, 200, view.body)
        assert.equal(view.json<ConsentsView>().subjectId, subjectId, spelling)
        assert.deepEqual(
          view.json<ConsentsView>().history.map((item) => item.action),
          ['granted'],
        )
      }
    })

    test('a grant by the U-label domain and one by the A-label are one subject', async () => {
      const first = await grant('kunde@bücher.de')
      const second = await grant('kunde@xn--bcher-kva.de')
      assert.equal(first.statusCode, 201, first.body)
      assert.equal(second.statusCode, 201, second.body)
      const subjectId = first.json<{ subjectId: string }>().subjectId
      assert.equal(second.json<{ subjectId: string }>().subjectId, subjectId)
      const view = (await read('KUNDE@BÜCHER.DE')).json<ConsentsView>()
      assert.equal(view.subjectId, subjectId)
      assert.equal(view.history.length, 2)
    })

    test('a look-alike address is a 400 that does not repeat it, on write and on read', async () => {
      const lookalike = 'kunde@b\u03bfcher.de' // a Greek ο among Latin letters
      const aLabel = 'kunde@xn--bcher-rce.de' // the same domain, in the ASCII that passed before
      for (const response of [
        await grant(lookalike),
        await read(lookalike),
        await grant(aLabel),
        await read(aLabel),
      ]) {
        assert.equal(response.statusCode, 400, response.body)
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
        assert.ok(!response.body.includes('\u03bf') && !response.body.includes('\\u03bf'))
        assert.ok(
          !response.body.includes('kunde') && !response.body.includes('xn--'),
          response.body,
        )
      }
    })
  })
}
