import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { sessionCookieName } from '../../src/identity/authenticate.js'
import {
  bearer,
  createTenant,
  signUpOperator,
  type SignedIn,
  type TenantFixture,
} from '../../src/identity/testing/fixtures.js'
import { readOutbox } from '../../src/mail/testing/outbox.js'
import { lastCodeMailedTo } from '../../src/rights/testing/requests.js'
import { testDialects } from '../../src/storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../src/testing/test-app.js'
import { sqlInjections } from '../fuzz/requests.js'
import { dialectSkip } from './stores.js'

/**
 * The security suite of issue 23 (Art. 32: "the ability to ensure the ongoing
 * confidentiality [and] integrity of processing systems"): SQL and header injection,
 * path traversal, authentication bypass, mass assignment and rate limits under bursts,
 * each probe derived from the OpenAPI document where it can be, so that routes added
 * later are probed too. Constant-time comparison is checked by `secret-comparisons.test.ts`.
 */

interface Route {
  method: string
  path: string
  security: Record<string, string[]>[]
  body?: { additionalProperties?: unknown; anyOf?: { additionalProperties?: unknown }[] }
}

async function routesOf(harness: TestApp): Promise<Route[]> {
  const document = (await harness.app.inject({ url: '/v1/openapi.json' })).json<{
    paths: Record<string, Record<string, Record<string, unknown>>>
  }>()
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => {
      const content = (
        operation.requestBody as
          { content?: Record<string, { schema?: Route['body'] }> } | undefined
      )?.content
      return {
        method: method.toUpperCase(),
        path,
        security: (operation.security ?? []) as Route['security'],
        ...(content?.['application/json']?.schema === undefined
          ? {}
          : { body: content['application/json'].schema }),
      }
    }),
  )
}

const fillPath = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value)

for (const dialect of testDialects) {
  describe(`security probes [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let other: TenantFixture
    let routes: Route[]
    let contactId: string
    let expired: SignedIn
    let revokedKey: string

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Probed Co')
      other = await createTenant(harness, 'Other Co')
      routes = await routesOf(harness)
      const contact = await harness.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: bearer(tenant.secretKey),
        payload: { email: 'probed@example.com', externalId: 'probed-1', name: 'Probed Person' },
      })
      contactId = contact.json<{ id: string }>().id
      expired = await signUpOperator(harness, tenant.workspaceId, 'admin')
      await harness.storage.db
        .updateTable('sessions')
        .set({ expires_at: '2001-01-01T00:00:00.000Z' })
        .where('operator_id', '=', expired.operatorId)
        .execute()
      const key = await harness.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(tenant.secretKey),
        payload: { kind: 'secret', label: 'revoked' },
      })
      const made = key.json<{ id: string; key: string }>()
      revokedKey = made.key
      await harness.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${made.id}`,
        headers: bearer(tenant.secretKey),
      })
    })
    after(async () => harness.close())

    test('SQL injection in look-ups finds nothing, breaks nothing and says nothing of SQL', async () => {
      const lookups = [
        '/v1/contacts?email=',
        '/v1/contacts?externalId=',
        '/v1/consents?externalId=',
        '/v1/consents?anonymousId=',
        '/v1/events?anonymousId=',
        '/v1/rights/requests?cursor=',
        '/v1/audit?action=',
      ]
      for (const lookup of lookups) {
        for (const probe of sqlInjections) {
          const response = await harness.app.inject({
            url: `${lookup}${encodeURIComponent(probe)}`,
            headers: bearer(tenant.secretKey),
          })
          assert.ok(response.statusCode < 500, `${lookup}${probe}: ${response.body}`)
          assert.doesNotMatch(
            response.body,
            /syntax|sqlite|postgres|relation|column|Probed Person/i,
          )
        }
      }
      const still = await harness.app.inject({
        url: `/v1/contacts/${contactId}`,
        headers: bearer(tenant.secretKey),
      })
      assert.equal(still.json<{ name: string }>().name, 'Probed Person')
    })

    test('header injection: CR/LF in a header is refused, and nothing is injected in the answer', async () => {
      await harness.app.listen({ port: 0, host: '127.0.0.1' })
      const address = harness.app.server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      const raw = (request: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.end(request))
          let answer = ''
          socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
          socket.on('end', () => resolve(answer))
          socket.on('error', reject)
        })
      const probes = [
        'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rSet-Cookie: injected=1\r\nConnection: close\r\n\r\n',
        'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\nSet-Cookie: injected=1\r\nConnection: close\r\n\r\n',
        'GET /healthz%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        'GET /v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n b\r\nConnection: close\r\n\r\n',
      ]
      for (const probe of probes) {
        const answer = await raw(probe)
        const [head] = answer.split('\r\n\r\n')
        assert.doesNotMatch(head ?? '', /^set-cookie: injected/im, probe)
        assert.match(answer, /^HTTP\/1\.1 [1-4]\d\d /, probe)
      }
      // A caller's request id that is not a plain id is replaced, never echoed.
      const hostile = await harness.app.inject({
        url: '/healthz',
        headers: { 'x-request-id': '<script>x</script>; injected=1' },
      })
      assert.notEqual(hostile.headers['x-request-id'], '<script>x</script>; injected=1')
      // Links the server makes use its configured public URL, never the Host it was sent.
      const invited = await harness.app.inject({
        method: 'POST',
        url: '/v1/operators',
        headers: {
          ...tenant.owner.headers(),
          host: 'evil.example',
          'x-forwarded-host': 'evil.example',
        },
        payload: { email: 'invitee@example.com', role: 'agent' },
      })
      assert.ok(invited.statusCode < 300, invited.body)
      assert.doesNotMatch(invited.body, /evil\.example/)
      for (const mail of await readOutbox(harness.outbox))
        assert.doesNotMatch(mail.text, /evil\.example/)
    })

    test('path traversal in every path parameter and beside every page serves no file', async () => {
      const traversals = [
        '..%2f..%2f..%2fetc%2fpasswd',
        '%2e%2e%2f%2e%2e%2fpackage.json',
        '..%252f..%252fpackage.json',
        '....%2f%2f....%2f%2fetc%2fpasswd',
        '%c0%ae%c0%ae%2fetc%2fpasswd',
        '..%5c..%5cpackage.json',
      ]
      const gets = routes.filter((route) => route.method === 'GET')
      const targets = [
        ...gets
          .filter((route) => route.path.includes('{'))
          .flatMap((route) => traversals.map((value) => fillPath(route.path, value))),
        ...['/signin', '/setup', '/v1', '/problems', '/v1/rights/exports'].flatMap((base) =>
          [
            '/../../etc/passwd',
            '/..%2f..%2fpackage.json',
            '/%2e%2e/%2e%2e/data/custodian.sqlite',
          ].map((suffix) => `${base}${suffix}`),
        ),
      ]
      for (const url of targets) {
        for (const headers of [{}, bearer(tenant.secretKey)]) {
          const response = await harness.app.inject({ url, headers })
          assert.ok(response.statusCode < 500, `${url}: ${response.statusCode}`)
          assert.doesNotMatch(
            response.body,
            /root:x:0:0|"name": "custodian"|SQLite format 3|BEGIN [A-Z ]*PRIVATE KEY/,
          )
          if (response.statusCode >= 400) {
            assert.match(
              String(response.headers['content-type']),
              /problem\+json|application\/json/,
              url,
            )
          }
        }
      }
    })

    test('no credential, an expired session, a revoked or malformed key gets nowhere', async () => {
      const guarded = routes.filter((route) => route.security.length > 0)
      assert.ok(guarded.length > 60)
      const cookie = (value: string) => ({ cookie: `${sessionCookieName}=${value}` })
      const attempts: [string, Record<string, string>][] = [
        ['none', {}],
        ['expired session', expired.headers()],
        ['revoked key', bearer(revokedKey)],
        ['key in the query string', {}],
        ['lower-case scheme, doubled space', { authorization: `bearer  ${tenant.secretKey}x` }],
        ['truncated key', bearer(tenant.secretKey.slice(0, -1))],
        ['key with a NUL', bearer(`${tenant.secretKey}\u0000`)],
        ['forged session', cookie('A'.repeat(43))],
      ]
      for (const route of guarded) {
        for (const [name, headers] of attempts) {
          const query =
            name === 'key in the query string'
              ? `?key=${tenant.secretKey}&api_key=${tenant.secretKey}`
              : ''
          const response = await harness.app.inject({
            method: route.method as 'GET',
            url: `${fillPath(route.path, contactId)}${query}`,
            headers,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          })
          assert.ok(
            [400, 401, 403].includes(response.statusCode),
            `${route.method} ${route.path} [${name}]: ${response.statusCode} ${response.body.slice(0, 200)}`,
          )
        }
      }
    })

    test('a session without its CSRF token writes nothing; another workspace’s key reads nothing', async () => {
      const writes = routes.filter(
        (route) => route.method !== 'GET' && route.security.some((item) => 'session' in item),
      )
      const noCsrf = { cookie: `${sessionCookieName}=${tenant.owner.cookie}` }
      for (const route of writes) {
        const response = await harness.app.inject({
          method: route.method as 'POST',
          url: fillPath(route.path, contactId),
          headers: noCsrf,
          payload: {},
        })
        assert.ok(
          [401, 403].includes(response.statusCode),
          `${route.method} ${route.path}: ${response.statusCode}`,
        )
      }
      const reads = await harness.app.inject({
        url: `/v1/contacts/${contactId}`,
        headers: bearer(other.secretKey),
      })
      assert.equal(reads.statusCode, 404)
      const publicForSecret = await harness.app.inject({
        url: `/v1/contacts/${contactId}`,
        headers: bearer(tenant.publicKey),
      })
      assert.equal(publicForSecret.statusCode, 403)
    })

    test('mass assignment: every body refuses fields it does not declare', async () => {
      const withBodies = routes.filter((route) => route.body !== undefined)
      assert.ok(withBodies.length > 30)
      for (const route of withBodies) {
        const shapes = route.body?.anyOf ?? [route.body ?? {}]
        for (const shape of shapes) {
          assert.equal(
            shape.additionalProperties,
            false,
            `${route.method} ${route.path} takes undeclared fields (workspace id, role, creation time…)`,
          )
        }
      }
      const probes: [string, string, object][] = [
        ['POST', '/v1/contacts', { email: 'm@example.com', workspaceId: other.workspaceId }],
        ['POST', '/v1/contacts', { email: 'm@example.com', createdAt: '2000-01-01T00:00:00Z' }],
        ['POST', '/v1/contacts', { email: 'm@example.com', id: contactId }],
        ['PATCH', `/v1/contacts/${contactId}`, { workspace_id: other.workspaceId }],
        ['PATCH', '/v1/me', { role: 'owner' }],
        ['PATCH', '/v1/workspace', { id: other.workspaceId }],
        ['POST', '/v1/api-keys', { kind: 'secret', label: 'x', workspaceId: other.workspaceId }],
        [
          'POST',
          '/v1/operators',
          { email: 'o@example.com', role: 'agent', workspaceId: other.workspaceId },
        ],
      ]
      for (const [method, url, payload] of probes) {
        const response = await harness.app.inject({
          method: method as 'POST',
          url,
          headers: tenant.owner.headers(),
          payload,
        })
        assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}`)
      }
      const contact = await harness.app.inject({
        url: `/v1/contacts/${contactId}`,
        headers: bearer(tenant.secretKey),
      })
      assert.equal(contact.statusCode, 200)
    })

    test('rate limits hold under a burst: portal filings, code guesses and code mails', async () => {
      const portal = (email: string) =>
        harness.app.inject({
          method: 'POST',
          url: '/v1/rights/requests',
          headers: bearer(tenant.publicKey),
          remoteAddress: '198.51.100.7',
          payload: { type: 'access', subject: { email } },
        })
      // Five filings per person a day (rights.service.ts portalLimits), 30 at once.
      const filings = await Promise.all(
        Array.from({ length: 30 }, () => portal('burst@example.com')),
      )
      const filed = filings.filter((response) => response.statusCode === 201)
      assert.equal(filed.length, 5, filings.map((response) => response.statusCode).join(','))
      assert.ok(filings.every((response) => [201, 429].includes(response.statusCode)))
      // Five guesses per code, 30 wrong ones at once; then even the right one is refused.
      const id = filed[0]?.json<{ id: string }>().id ?? ''
      const code = await lastCodeMailedTo(harness, 'burst@example.com')
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
      const guesses = await Promise.all(
        Array.from({ length: 30 }, () =>
          harness.app.inject({
            method: 'POST',
            url: `/v1/rights/requests/${id}/verify`,
            headers: bearer(tenant.publicKey),
            payload: { code: wrong },
          }),
        ),
      )
      assert.ok(
        guesses.every((response) => response.statusCode >= 400 && response.statusCode < 500),
      )
      const right = await harness.app.inject({
        method: 'POST',
        url: `/v1/rights/requests/${id}/verify`,
        headers: bearer(tenant.publicKey),
        payload: { code },
      })
      assert.ok(right.statusCode >= 400, `the right code after the burst: ${right.statusCode}`)
      // At most five codes per request, however many are asked for at once.
      const before = (await readOutbox(harness.outbox)).filter((mail) =>
        mail.to.includes('burst@example.com'),
      )
      await Promise.all(
        Array.from({ length: 20 }, () =>
          harness.app.inject({
            method: 'POST',
            url: `/v1/rights/requests/${id}/code`,
            headers: bearer(tenant.publicKey),
          }),
        ),
      )
      const afterBurst = (await readOutbox(harness.outbox)).filter((mail) =>
        mail.to.includes('burst@example.com'),
      )
      const codesOfRequest = afterBurst.length - before.length
      assert.ok(
        codesOfRequest <= 4,
        `${codesOfRequest} more codes mailed (five per request in all)`,
      )
    })

    test('every unauthenticated or public-key route is rate limited or listed with why not', () => {
      const open = routes.filter(
        (route) =>
          route.security.length === 0 || route.security.some((item) => 'publicKey' in item),
      )
      const unlisted = open
        .map((route) => `${route.method} ${route.path}`)
        .filter((route) => !(route in limitedRoutes) && !(route in unlimitedRoutes))
      assert.deepEqual(
        unlisted,
        [],
        'a new open route: give it a limit, or say here why it needs none',
      )
    })
  })
}

/** Open routes with a limit, and where it is (each is probed above or in its module's tests). */
const limitedRoutes: Record<string, string> = {
  'POST /v1/auth/login':
    'per account and per address (identity/sign-in-attempts.ts; login-limits.test.ts)',
  'POST /v1/rights/requests': 'portal: 5 per person a day, 20 per address an hour (probed above)',
  'POST /v1/rights/requests/{id}/verify': '5 guesses per code (probed above)',
  'POST /v1/rights/requests/{id}/code': '5 codes per request (probed above)',
  'POST /v1/events':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'POST /v1/consents':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/consents':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/consents/receipts/{id}':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'POST /v1/consents/age':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'POST /v1/conversations':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/conversations':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/conversations/{id}':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'POST /v1/conversations/{id}/messages':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/conversations/{id}/messages':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
  'GET /v1/attachments/{id}':
    'per address and public key: CUSTODIAN_PUBLIC_KEY_RATE and _BURST (identity/public-key-limiter.ts; probed in public-key-limit.test.ts)',
}

/** Open routes without a request-rate limit of their own, and why. */
const unlimitedRoutes: Record<string, string> = {
  'GET /healthz': 'constant answer, no storage',
  'GET /v1/openapi.json': 'constant answer',
  'GET /problems/{code}': 'constant answer',
  'GET /v1/workspaces/{id}/jwks.json': 'public keys, published by design',
  'GET /v1/workspaces/{id}/privacy-notice.json': 'published by design',
  'GET /v1/workspaces/{id}/privacy-notice.html': 'published by design',
  'POST /v1/auth/setup': 'a 256-bit one-time token: nothing to guess',
  'POST /v1/auth/setup/check': 'a 256-bit one-time token: nothing to guess',
  'GET /v1/rights/exports/{token}': 'a 256-bit link that expires: nothing to guess',
  'POST /v1/data-rights-request': 'each call is an Ed25519-signed message of a registered agent',
  'POST /v1/data-rights-request/': 'each call is an Ed25519-signed message of a registered agent',
  'GET /v1/data-rights-request/{requestId}': "the agent's pair-wise bearer token",
  'DELETE /v1/data-rights-request/{requestId}': "the agent's pair-wise bearer token",
  'POST /v1/agent/{agentId}': 'each call is an Ed25519-signed message of a registered agent',
  'GET /v1/agent/{agentId}': "the agent's pair-wise bearer token",
  'GET /v1/purposes': 'the catalogue the SDK shows: no personal data',
  'GET /v1/policies': 'the policies the SDK shows: no personal data',
}
