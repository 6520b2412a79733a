import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { Type } from 'typebox'
import { anyone } from './identity/index.js'
import { buildTestApp, type TestApp } from './testing/test-app.js'
import { createWorkspace } from './workspaces/index.js'

describe('HTTP app', () => {
  let harness: TestApp

  before(async () => {
    harness = await buildTestApp({ env: { CUSTODIAN_BODY_LIMIT_BYTES: '2048' } })
    const { app } = harness
    // Routes that exist only in this test, to drive the shared error handling.
    app.post(
      '/v1/test/echo',
      {
        config: { access: anyone },
        schema: {
          body: Type.Object(
            {
              email: Type.String({ format: 'email' }),
              age: Type.Integer({ minimum: 0 }),
              screen: Type.Optional(Type.Object({ width: Type.Integer() })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        request.log.info({ email: (request.body as { email: string }).email }, 'echo')
        return { ok: true }
      },
    )
    app.get('/v1/test/crash', { config: { access: anyone } }, async () => {
      throw new Error('database said: duplicate key alice@example.com from 203.0.113.9')
    })
  })
  after(async () => harness.close())

  function assertProblem(
    response: { headers: Record<string, unknown>; json(): unknown },
    status: number,
  ) {
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
    const problem = response.json() as Record<string, unknown>
    assert.equal(problem.status, status)
    for (const member of ['type', 'title', 'detail', 'instance', 'requestId']) {
      assert.equal(typeof problem[member], 'string', `problem.${member}`)
    }
    return problem
  }

  test('healthz answers ok after a database round trip', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/healthz' })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { status: 'ok' })
  })

  test('every response carries security headers, a request id and no-store', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/healthz' })
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    assert.match(String(response.headers['content-security-policy']), /default-src 'none'/)
    assert.equal(response.headers['x-frame-options'], 'DENY')
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  })

  test('a plain incoming request id is kept, a hostile one replaced', async () => {
    const kept = await harness.app.inject({
      url: '/nowhere',
      headers: { 'x-request-id': 'trace-1234abcd' },
    })
    assert.equal(kept.headers['x-request-id'], 'trace-1234abcd')
    assert.equal(kept.json().requestId, 'trace-1234abcd')
    const replaced = await harness.app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'x\r\nSet-Cookie: a=b' },
    })
    assert.notEqual(replaced.headers['x-request-id'], 'x\r\nSet-Cookie: a=b')
  })

  test('an unknown path is a 404 problem', async () => {
    const problem = assertProblem(await harness.app.inject({ url: '/v1/nothing-here' }), 404)
    assert.equal(problem.code, 'not_found')
    assert.equal(problem.type, '/problems/not_found')
  })

  test('a known path with the wrong method is a 405 problem with Allow', async () => {
    const response = await harness.app.inject({ method: 'DELETE', url: '/healthz' })
    const problem = assertProblem(response, 405)
    assert.equal(problem.code, 'method_not_allowed')
    assert.equal(response.headers.allow, 'GET, HEAD')
  })

  test('a failing field is a 400 problem naming that field, without its value', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: { email: 'not-an-email', age: -1, screen: { width: 'wide' }, extra: 1 },
    })
    const problem = assertProblem(response, 400)
    assert.equal(problem.code, 'invalid_request')
    const errors = problem.errors as { in: string; field: string; message: string }[]
    const fields = errors.map((error) => error.field).sort()
    assert.deepEqual(fields, ['age', 'email', 'extra', 'screen.width'])
    assert.ok(errors.every((error) => error.in === 'body'))
    assert.doesNotMatch(response.body, /not-an-email|wide/)
  })

  test('a missing required field is named', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: { age: 3 },
    })
    const problem = assertProblem(response, 400)
    assert.equal(problem.detail, 'body.email is required')
  })

  test('broken JSON is a 400 problem that does not quote the body', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "bob@example.com", ',
    })
    assertProblem(response, 400)
    assert.doesNotMatch(response.body, /bob@example\.com/)
  })

  test('an unsupported media type is a 415 problem', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      headers: { 'content-type': 'text/csv' },
      payload: 'email,age\na@b.co,3',
    })
    assert.equal(assertProblem(response, 415).code, 'unsupported_media_type')
  })

  test('a body over the configured limit is a 413 problem', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo',
      payload: { email: 'a@b.co', age: 1, padding: 'x'.repeat(4096) },
    })
    assert.equal(assertProblem(response, 413).code, 'payload_too_large')
  })

  test('an unexpected failure is a 500 problem with no internals', async () => {
    const response = await harness.app.inject({ url: '/v1/test/crash' })
    const problem = assertProblem(response, 500)
    assert.equal(problem.code, 'internal')
    assert.doesNotMatch(response.body, /database|duplicate|alice|203\.0\.113|at /)
  })

  test('logs redact emails, IPs and Authorization headers', async () => {
    const workspace = await createWorkspace(harness.modules.workspaces, {
      name: 'Log Test',
      actor: { actorType: 'system', actorId: null },
    })
    await harness.app.inject({
      method: 'POST',
      url: '/v1/test/echo?email=carol@example.com',
      headers: {
        authorization: `Bearer ${workspace.secretKey}`,
        'x-forwarded-for': '198.51.100.7',
      },
      payload: { email: 'dave@example.com', age: 30 },
    })
    await harness.app.inject({ url: '/v1/test/crash' })
    const text = harness.logs.text()
    assert.match(text, /"msg":"echo"/)
    assert.match(text, /request failed/)
    for (const secret of [
      'dave@example.com',
      'carol@example.com',
      'alice@example.com',
      workspace.secretKey,
      '198.51.100.7',
      '203.0.113.9',
    ]) {
      assert.ok(!text.includes(secret), `log output contains ${secret}`)
    }
  })

  test('the OpenAPI document is valid OpenAPI 3.1 and lists the routes', async () => {
    const response = await harness.app.inject({ url: '/v1/openapi.json' })
    assert.equal(response.statusCode, 200)
    const document = response.json()
    assert.equal(document.openapi, '3.1.0')
    assert.ok(document.paths['/healthz'])
    await SwaggerParser.validate(structuredClone(document))
  })

  test('problem types are described at their type URI', async () => {
    const response = await harness.app.inject({ url: '/problems/payload_too_large' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.json().status, 413)
  })
})
