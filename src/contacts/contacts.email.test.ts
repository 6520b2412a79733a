import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

// International email addresses (RFC 6531) through the contacts API: accepted, found by
// either spelling of their domain (U-label or IDNA A-label), look-alikes refused.

const cyrillicLookalike = 'billing@p\u0430ypal.com' // a Cyrillic а among Latin letters
// The same domain as its A-label: plain ASCII, which the ASCII-only check let through.
const lookalikeALabel = 'billing@xn--pypal-4ve.com'

/** The look-alike must not come back in any spelling: Unicode, A-label or JSON-escaped. */
function assertNotEchoed(body: string) {
  for (const spelling of ['p\u0430ypal', 'xn--pypal', '\\u0430', 'billing']) {
    assert.ok(!body.includes(spelling), `echoes ${spelling}: ${body}`)
  }
}

for (const dialect of testDialects) {
  describe(
    `contacts with international emails [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Bücher GmbH')
      })
      after(async () => harness.close())

      const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
        harness.app.inject({
          method,
          url,
          headers: bearer(tenant.secretKey),
          ...(payload ? { payload } : {}),
        })
      const idsFound = async (email: string) =>
        (await call('GET', `/v1/contacts?email=${encodeURIComponent(email)}`))
          .json<{ data: { id: string }[] }>()
          .data.map((contact) => contact.id)

      test('a contact made with a U-label domain is found by its A-label, and the other way', async () => {
        const unicode = await call('POST', '/v1/contacts', { email: 'user@bücher.de' })
        assert.equal(unicode.statusCode, 201, unicode.body)
        const made = unicode.json<{ id: string; email: string }>()
        assert.equal(made.email, 'user@bücher.de', 'kept as typed')
        assert.deepEqual(await idsFound('user@xn--bcher-kva.de'), [made.id])
        assert.deepEqual(await idsFound('User@BÜCHER.de'), [made.id])

        const ascii = await call('POST', '/v1/contacts', { email: 'kasse@xn--bcher-kva.de' })
        assert.equal(ascii.statusCode, 201, ascii.body)
        assert.deepEqual(await idsFound('kasse@bücher.de'), [ascii.json<{ id: string }>().id])

        // One mailbox, two spellings: the second is the same contact's email, a conflict.
        const again = await call('POST', '/v1/contacts', { email: 'USER@xn--bcher-kva.de' })
        assert.equal(again.statusCode, 409)
        assert.equal(again.json().errors[0].field, 'email')
      })

      test('a UTF-8 local part is accepted, stored in NFC and found in either normal form', async () => {
        const created = await call('POST', '/v1/contacts', { email: 'Jose\u0301@example.com' })
        assert.equal(created.statusCode, 201, created.body)
        const contact = created.json<{ id: string; email: string }>()
        assert.equal(contact.email, 'Jos\u00e9@example.com')
        assert.deepEqual(await idsFound('josé@example.com'), [contact.id])
        const patched = await call('PATCH', `/v1/contacts/${contact.id}`, {
          email: 'josé@bücher.de',
        })
        assert.equal(patched.statusCode, 200, patched.body)
        assert.deepEqual(await idsFound('josé@xn--bcher-kva.de'), [contact.id])
        assert.deepEqual(await idsFound('josé@example.com'), [])
      })

      test('a Cyrillic look-alike domain is a 400 naming the field, never the address', async () => {
        const target = await call('POST', '/v1/contacts', { externalId: 'lookalike-target' })
        const targetId = target.json<{ id: string }>().id
        for (const [method, url, email] of [
          ['POST', '/v1/contacts', cyrillicLookalike],
          ['POST', '/v1/contacts', lookalikeALabel],
          ['PATCH', `/v1/contacts/${targetId}`, cyrillicLookalike],
          ['PATCH', `/v1/contacts/${targetId}`, lookalikeALabel],
        ] as const) {
          const refused = await call(method, url, { email })
          assert.equal(refused.statusCode, 400, `${method} ${email} ${refused.body}`)
          assert.match(String(refused.headers['content-type']), /^application\/problem\+json/)
          assert.equal(refused.json().errors[0].field, 'email')
          assertNotEchoed(refused.body)
        }
        assert.deepEqual(await idsFound(cyrillicLookalike), [])
        assert.deepEqual(await idsFound(lookalikeALabel), [])
      })

      test('a batch takes international addresses and rejects a look-alike by its index alone', async () => {
        const response = await call('POST', '/v1/contacts/batch', {
          contacts: [
            { email: '山田@例え.テスト' },
            { email: cyrillicLookalike },
            { email: lookalikeALabel },
            { email: 'ana@xn--espaa-rta.es' },
          ],
        })
        assert.equal(response.statusCode, 200, response.body)
        const body = response.json<{
          created: { index: number; id: string }[]
          rejected: { index: number; problem: { code: string } }[]
        }>()
        assert.deepEqual(
          body.created.map((made) => made.index),
          [0, 3],
        )
        assert.deepEqual(
          body.rejected.map((item) => [item.index, item.problem.code]),
          [
            [1, 'invalid_request'],
            [2, 'invalid_request'],
          ],
        )
        assertNotEchoed(response.body)
        assert.deepEqual(await idsFound('山田@xn--r8jz45g.xn--zckzah'), [body.created[0]?.id])
        assert.deepEqual(await idsFound('ana@españa.es'), [body.created[1]?.id])
      })
    },
  )
}
