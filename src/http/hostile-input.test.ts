import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

/**
 * Hostile bodies against the real routes, on both dialects: JSON nested to overflow a
 * recursive reader, numbers out of double range, keys built to be reflected as HTML,
 * and bad bodies sent without credentials. Each class failed on the code before the
 * hardening issue (500 and a lost batch, a 500 that still committed, reflected keys,
 * validation before authentication).
 */
const hostileKey = '<img src=x onerror=alert(1)>'

function nestedObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

for (const dialect of testDialects) {
  describe(`hostile input [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Hostile Co')
      const granted = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.publicKey),
        payload: { anonymousId: 'visitor-deep', purpose: 'analytics', granted: true },
      })
      assert.equal(granted.statusCode, 201)
    })
    after(async () => harness.close())

    const send = (url: string, body: string, headers: Record<string, string> = {}) =>
      harness.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      })

    const contactCount = async () =>
      (
        await harness.app.inject({
          url: '/v1/contacts?limit=100',
          headers: bearer(tenant.secretKey),
        })
      ).json<{ data: unknown[] }>().data.length

    test('an event nested thousands deep is rejected alone and the rest of its batch lands', async () => {
      for (const depth of [5_000, 10_000]) {
        const deepProperties = `{"type":"track","name":"deep","anonymousId":"visitor-deep","properties":${nestedObject(depth)}}`
        const deepArray = `{"type":"track","name":"deep","anonymousId":"visitor-deep","traits":${'['.repeat(depth)}${']'.repeat(depth)}}`
        const fine = '{"type":"track","name":"fine","anonymousId":"visitor-deep"}'
        for (const [contentType, key] of [
          ['application/json', tenant.publicKey],
          ['text/plain', tenant.publicKey],
        ] as const) {
          const body =
            contentType === 'text/plain'
              ? `{"writeKey":"${key}","batch":[${fine},${deepProperties},${deepArray}]}`
              : `{"batch":[${fine},${deepProperties},${deepArray}]}`
          const response = await harness.app.inject({
            method: 'POST',
            url: '/v1/events',
            headers: {
              'content-type': contentType,
              ...(contentType === 'text/plain' ? {} : bearer(key)),
            },
            payload: body,
          })
          assert.equal(response.statusCode, 202, `${contentType} ${depth}: ${response.body}`)
          const result = response.json<{ accepted: number; rejected: { index: number }[] }>()
          assert.equal(result.accepted, 1)
          assert.deepEqual(
            result.rejected.map((item) => item.index),
            [1, 2],
          )
        }
      }
    })

    test('a contact nested too deep in a batch is rejected alone; a single one is a 400', async () => {
      const batch = `{"contacts":[{"externalId":"deep-ok"},{"externalId":"deep-no","attributes":${nestedObject(6_000)}}]}`
      const response = await send('/v1/contacts/batch', batch, bearer(tenant.secretKey))
      assert.equal(response.statusCode, 200, response.body)
      const result = response.json<{ created: unknown[]; rejected: { index: number }[] }>()
      assert.equal(result.created.length, 1)
      assert.deepEqual(
        result.rejected.map((item) => item.index),
        [1],
      )
      const single = await send(
        '/v1/contacts',
        `{"externalId":"deep-single","attributes":${nestedObject(6_000)}}`,
        bearer(tenant.secretKey),
      )
      assert.equal(single.statusCode, 400)
      assert.match(String(single.headers['content-type']), /^application\/problem\+json/)
    })

    test('a number out of double range is a 400 naming its field, and nothing is stored', async () => {
      const before = await contactCount()
      const response = await send(
        '/v1/contacts',
        '{"externalId":"infinite-1","attributes":{"score":1e309}}',
        bearer(tenant.secretKey),
      )
      assert.equal(response.statusCode, 400, response.body)
      const problem = response.json<{ errors: { field: string }[] }>()
      assert.deepEqual(
        problem.errors.map((error) => error.field),
        ['attributes.score'],
      )
      assert.equal(await contactCount(), before)
      // Sent again, as a client that saw an error would: made once, and it reads back.
      const retried = await send(
        '/v1/contacts',
        '{"externalId":"infinite-1","attributes":{"score":1e308}}',
        bearer(tenant.secretKey),
      )
      assert.equal(retried.statusCode, 201, retried.body)
      assert.equal(retried.json<{ attributes: { score: number } }>().attributes.score, 1e308)
      const batch = await send(
        '/v1/contacts/batch',
        '{"contacts":[{"externalId":"finite-2","attributes":{"n":1}},{"externalId":"infinite-3","attributes":{"n":-1e999}}]}',
        bearer(tenant.secretKey),
      )
      assert.deepEqual(
        batch.json<{ rejected: { index: number }[] }>().rejected.map((item) => item.index),
        [1],
      )
    })

    test('a non-finite number in consent proof or settings is refused too', async () => {
      const consent = await send(
        '/v1/consents',
        '{"externalId":"proof-1","purpose":"marketing","granted":true,"proof":{"evidence":{"n":1e999}}}',
        bearer(tenant.secretKey),
      )
      assert.equal(consent.statusCode, 400, consent.body)
      const settings = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/workspace',
        headers: { 'content-type': 'application/json', ...bearer(tenant.secretKey) },
        payload: '{"slaDays":1e999}',
      })
      assert.equal(settings.statusCode, 400, settings.body)
    })

    test('an unknown key is never reflected, in detail or in errors', async () => {
      const response = await send(
        '/v1/contacts',
        JSON.stringify({ externalId: 'x-1', [hostileKey]: 1 }),
        bearer(tenant.secretKey),
      )
      assert.equal(response.statusCode, 400)
      assert.ok(!response.body.includes('<img'), response.body)
      assert.ok(!response.body.includes('onerror'), response.body)
      const problem = response.json<{ detail: string; errors: { field: string }[] }>()
      assert.equal(problem.errors[0]?.field, '{name}')
      const batch = await send(
        '/v1/contacts/batch',
        JSON.stringify({ contacts: [{ externalId: 'x-2', attributes: { [hostileKey]: 1 } }] }),
        bearer(tenant.secretKey),
      )
      assert.equal(batch.statusCode, 200)
      assert.ok(!batch.body.includes('<img'), batch.body)
    })

    test('without credentials a bad body is refused as unauthenticated, before validation', async () => {
      for (const key of [undefined, tenant.publicKey]) {
        const headers = key === undefined ? {} : bearer(key)
        const bad = await send('/v1/contacts', JSON.stringify({ [hostileKey]: 1 }), headers)
        const good = await send('/v1/contacts', JSON.stringify({ externalId: 'ok' }), headers)
        const broken = await send('/v1/contacts', '{"broken', headers)
        const expected = key === undefined ? 401 : 403
        for (const response of [bad, good, broken]) {
          assert.equal(response.statusCode, expected, response.body)
          assert.ok(!response.body.includes('<img'))
        }
        assert.equal(bad.json().detail, good.json().detail)
      }
    })
  })
}
