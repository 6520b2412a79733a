import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { roleMay } from './permissions.js'
import {
  bearer,
  createTenant,
  type SignedIn,
  signUpOperator,
  type TenantFixture,
} from './testing/fixtures.js'

// Routes anyone may call, signed in or not.
const publicRoutes = new Set([
  'GET /healthz',
  'GET /v1/openapi.json',
  'GET /problems/{code}',
  'POST /v1/auth/login',
  'POST /v1/auth/setup',
  'POST /v1/auth/setup/check',
  // A person's export download: the unguessable token in the path is the credential.
  'GET /v1/rights/exports/{token}',
  // What a workspace publishes to everyone: the keys that verify its receipts, its notice.
  'GET /v1/workspaces/{id}/jwks.json',
  'GET /v1/workspaces/{id}/privacy-notice.json',
  'GET /v1/workspaces/{id}/privacy-notice.html',
  // The Data Rights Protocol's own endpoints: open at the HTTP layer, each authenticates
  // itself first thing (the agent's pair-wise token and its Ed25519-signed body).
  'POST /v1/data-rights-request',
  'POST /v1/data-rights-request/',
  'GET /v1/data-rights-request/{requestId}',
  'DELETE /v1/data-rights-request/{requestId}',
  'POST /v1/agent/{agentId}',
  'GET /v1/agent/{agentId}',
])

const probeSubprocessor = {
  name: 'Probe GmbH',
  service: 'Probe',
  dataCategories: ['identifiers'],
  country: 'DE',
  transferMechanism: { type: 'none' },
}

const probeDpia = {
  title: 'Probe',
  processing: 'Probe',
  categories: ['identifiers'],
  necessity: 'Probe',
  proportionality: 'Probe',
  risks: [
    {
      id: 'probe',
      description: 'Probe',
      likelihood: 1,
      severity: 1,
      measures: ['Probe'],
      residualLikelihood: 1,
      residualSeverity: 1,
    },
  ],
  reviewDueOn: '2030-01-01',
}

// A valid body for each route that takes one, so a refusal is about who asks, not what.
const sampleBodies: Record<string, unknown> = {
  'POST /v1/auth/logout': undefined,
  'POST /v1/me/2fa/enroll': undefined,
  'PATCH /v1/me': { firstName: 'Probe' },
  'POST /v1/me/2fa/confirm': { code: '123456' },
  'POST /v1/me/2fa/disable': { code: '123456' },
  'POST /v1/me/2fa/recovery-codes': { code: '123456' },
  'POST /v1/operators': { email: 'probe@example.com', role: 'agent' },
  'PATCH /v1/operators/{id}': { role: 'agent' },
  'POST /v1/api-keys': { kind: 'secret', label: 'probe' },
  'PATCH /v1/workspace': { name: 'Probe' },
  'POST /v1/contacts': { email: 'probe@example.com' },
  'POST /v1/contacts/batch': { contacts: [{ email: 'probe.batch@example.com' }] },
  'PATCH /v1/contacts/{id}': { name: 'Probe' },
  'POST /v1/contacts/{id}/enrichment': { source: 'probe', fields: { company: 'Probe' } },
  'POST /v1/contacts/{id}/redactions': {},
  'POST /v1/consents': { anonymousId: 'probe-visitor', purpose: 'analytics', granted: true },
  'POST /v1/consents/age': { anonymousId: 'probe-visitor', age: 30 },
  'POST /v1/consents/parental': { externalId: 'probe-user', verified: true, method: 'signed-form' },
  'POST /v1/purposes': { name: 'probe', lawfulBasis: 'consent', description: 'Probe' },
  'PATCH /v1/purposes/{name}': { description: 'Probe' },
  'POST /v1/policies': { version: 'probe-1', url: 'https://example.com/privacy' },
  'POST /v1/identity-tokens': { externalId: 'probe-user' },
  'POST /v1/events': {
    batch: [{ type: 'page', anonymousId: 'probe-visitor', url: 'https://example.com/' }],
  },
  'POST /v1/rights/requests': { type: 'access', subject: { email: 'probe@example.com' } },
  'POST /v1/rights/requests/{id}/verify': { code: '123456' },
  'POST /v1/rights/requests/{id}/code': undefined,
  'POST /v1/rights/requests/{id}/fulfil': {},
  'POST /v1/rights/requests/{id}/reject': { reason: 'Probe', article: 'art-12-5' },
  'POST /v1/rights/requests/{id}/withdraw': {},
  'POST /v1/rights/requests/{id}/extend': { reason: 'Probe' },
  'POST /v1/rights/requests/{id}/lift-restriction': {},
  'POST /v1/conversations': { anonymousId: 'probe-visitor' },
  'PATCH /v1/conversations/{id}': { state: 'resolved' },
  'POST /v1/conversations/{id}/messages': { body: 'Probe', from: 'contact' },
  'POST /v1/conversations/{id}/enrichment': { provider: 'directory' },
  'POST /v1/messages/{id}/redactions': {},
  'POST /v1/rights/holds': {
    subject: { email: 'probe@example.com' },
    basis: 'art-17-3-e',
    reason: 'Probe',
  },
  'POST /v1/subprocessors': probeSubprocessor,
  'POST /v1/breaches': { discoveredAt: '2026-01-01T00:00:00Z', nature: 'confidentiality' },
  'PATCH /v1/breaches/{id}': { measuresTaken: 'Probe' },
  'POST /v1/breaches/{id}/affected': undefined,
  'POST /v1/breaches/{id}/affected/reveal': undefined,
  'PATCH /v1/subprocessors/{id}': { status: 'retired' },
  'PUT /v1/data-map/categories/{name}': {
    label: 'Probe',
    description: 'Probe',
    specialCategory: false,
    dataSubjects: ['Probe'],
    purposes: ['Probe'],
    lawfulBases: ['contract'],
    retention: 'Probe',
    systems: ['Probe'],
    recipients: ['Probe'],
    source: 'Probe',
    requirement: 'Probe',
  },
  'POST /v1/dpias': probeDpia,
  'PATCH /v1/dpias/{id}': { title: 'Probe' },
  'POST /v1/dpias/{id}/sign-off': { opinion: 'Probe', nextReviewOn: '2030-01-01' },
  'POST /v1/drp/agents': {
    agentId: 'PROBE_AGENT',
    name: 'Probe',
    verifyKey: '7ks26DuGM/BwWcB5SZrBcFiF/KF0snFU5Kw41vsR8w0=',
  },
}

// What the browser SDK's public key may call (events; consent only for its own anonymousId; the
// catalogue it shows end-users). Every other guarded route refuses it.
const publicKeyRoutes = new Set([
  'POST /v1/events',
  'POST /v1/consents',
  'GET /v1/consents',
  'GET /v1/consents/receipts/{id}',
  'POST /v1/consents/age',
  'GET /v1/purposes',
  'GET /v1/policies',
  // The privacy portal's door: a person files their own request and confirms it.
  'POST /v1/rights/requests',
  'POST /v1/rights/requests/{id}/verify',
  'POST /v1/rights/requests/{id}/code',
  // The inbox's visitor side: its own conversations only, by its visitor token.
  'POST /v1/conversations',
  'GET /v1/conversations',
  'GET /v1/conversations/{id}',
  'POST /v1/conversations/{id}/messages',
  'GET /v1/conversations/{id}/messages',
  'GET /v1/attachments/{id}',
])

interface Route {
  method: string
  path: string
}

async function listRoutes(harness: TestApp): Promise<Route[]> {
  const document = (await harness.app.inject({ url: '/v1/openapi.json' })).json<{
    paths: Record<string, Record<string, unknown>>
  }>()
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => ({ method: method.toUpperCase(), path })),
  )
}

for (const dialect of testDialects) {
  describe(`tenant walls, API keys and roles [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let a: TenantFixture
    let b: TenantFixture
    let bResourceIds: string[]
    let routes: Route[]

    before(async () => {
      harness = await buildTestApp({ dialect })
      a = await createTenant(harness, 'Tenant A')
      b = await createTenant(harness, 'Tenant B')
      const bAgent = await signUpOperator(harness, b.workspaceId, 'agent')
      const bKeys = (
        await harness.app.inject({ url: '/v1/api-keys', headers: bearer(b.secretKey) })
      ).json<{ data: { id: string }[] }>()
      const bConsent = (
        await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: bearer(b.secretKey),
          payload: { externalId: 'b-user', purpose: 'marketing', granted: true },
        })
      ).json<{ receiptId: string; subjectId: string }>()
      const bRequest = (
        await harness.app.inject({
          method: 'POST',
          url: '/v1/rights/requests',
          headers: bearer(b.secretKey),
          payload: { type: 'access', subject: { externalId: 'b-user' } },
        })
      ).json<{ id: string }>()
      const bSubprocessor = (
        await harness.app.inject({
          method: 'POST',
          url: '/v1/subprocessors',
          headers: bearer(b.secretKey),
          payload: probeSubprocessor,
        })
      ).json<{ id: string }>()
      const bBreach = (
        await harness.app.inject({
          method: 'POST',
          url: '/v1/breaches',
          headers: bearer(b.secretKey),
          payload: { discoveredAt: '2026-01-01T00:00:00Z', nature: 'availability' },
        })
      ).json<{ id: string }>()
      const bDpias = (
        await harness.app.inject({ url: '/v1/dpias', headers: bearer(b.secretKey) })
      ).json<{ data: { id: string }[] }>()
      const bConversation = (
        await harness.app.inject({
          method: 'POST',
          url: '/v1/conversations',
          headers: bearer(b.secretKey),
          payload: { anonymousId: 'b-visitor' },
        })
      ).json<{ id: string }>()
      const bMessage = (
        await harness.app.inject({
          method: 'POST',
          url: `/v1/conversations/${bConversation.id}/messages`,
          headers: bearer(b.secretKey),
          payload: {
            body: 'card 4111 1111 1111 1111',
            from: 'operator',
            attachments: [{ name: 'b.txt', type: 'text/plain', content: 'Yg==' }],
          },
        })
      ).json<{ id: string; attachments: { id: string }[] }>()
      bResourceIds = [
        bSubprocessor.id,
        ...bDpias.data.map((dpia) => dpia.id),
        bConversation.id,
        bMessage.id,
        ...bMessage.attachments.map((attachment) => attachment.id),
        bRequest.id,
        b.owner.operatorId,
        bAgent.operatorId,
        ...bKeys.data.map((key) => key.id),
        bConsent.receiptId,
        bConsent.subjectId,
        bBreach.id,
      ]
      routes = await listRoutes(harness)
    })
    after(async () => harness.close())

    function send(route: Route, headers: Record<string, string>, id?: string) {
      const key = `${route.method} ${route.path}`
      return harness.app.inject({
        method: route.method as 'GET',
        url: id ? route.path.replace('{id}', id) : route.path.replace('{code}', 'not_found'),
        headers,
        ...(key in sampleBodies && sampleBodies[key] !== undefined
          ? { payload: sampleBodies[key] as object }
          : {}),
      })
    }

    test('every route with a body has a sample here, so new routes join these probes', () => {
      const missing = routes
        .filter((route) => ['POST', 'PATCH', 'PUT'].includes(route.method))
        .map((route) => `${route.method} ${route.path}`)
        .filter((key) => !publicRoutes.has(key) && !(key in sampleBodies))
      assert.deepEqual(missing, [])
    })

    test("A's secret key and A's owner get 404 for every one of B's resources on every route", async () => {
      const withIds = routes.filter((route) => route.path.includes('{id}'))
      assert.ok(withIds.length >= 4, 'routes with ids are probed')
      for (const credentials of [bearer(a.secretKey), a.owner.headers()]) {
        for (const route of withIds) {
          for (const id of bResourceIds) {
            const response = await send(route, credentials, id)
            assert.equal(
              response.statusCode,
              404,
              `${route.method} ${route.path} with B's ${id} answered ${response.statusCode}`,
            )
            assert.ok(!response.body.includes(b.workspaceId))
          }
        }
      }
    })

    test("A's lists and audit log never show B's operators, keys or events", async () => {
      for (const url of [
        '/v1/operators',
        '/v1/api-keys',
        '/v1/audit?limit=200',
        '/v1/workspace',
        '/v1/consents?externalId=b-user',
        '/v1/purposes',
        '/v1/policies',
        '/v1/subprocessors',
        '/v1/dpias',
        '/v1/risks',
        '/v1/data-map',
        '/v1/ropa',
        '/v1/conversations',
      ]) {
        const response = await harness.app.inject({ url, headers: bearer(a.secretKey) })
        assert.equal(response.statusCode, 200, url)
        for (const id of [b.workspaceId, ...bResourceIds])
          assert.ok(!response.body.includes(id), `${url} leaks ${id}`)
      }
    })

    test('the public key is refused on every route but the public ones and its own', async () => {
      const guarded = routes.filter(
        (route) =>
          !publicRoutes.has(`${route.method} ${route.path}`) &&
          !publicKeyRoutes.has(`${route.method} ${route.path}`),
      )
      for (const route of guarded) {
        const response = await send(route, bearer(a.publicKey), a.owner.operatorId)
        assert.ok(
          [401, 403].includes(response.statusCode),
          `${route.method} ${route.path} let the public key in (${response.statusCode})`,
        )
      }
    })

    test("the public key reaches the SDK's routes, and they exist", async () => {
      const listed = new Set(routes.map((route) => `${route.method} ${route.path}`))
      for (const key of publicKeyRoutes) {
        assert.ok(listed.has(key), `${key} is in the OpenAPI document`)
        const [method = 'GET', path = '/'] = key.split(' ')
        const response = await send({ method, path }, bearer(a.publicKey), a.owner.operatorId)
        assert.ok(
          ![401, 403].includes(response.statusCode),
          `${key} refused the public key (${response.statusCode})`,
        )
        assert.ok(response.statusCode < 500, `${key} failed (${response.statusCode})`)
      }
    })

    test('no credentials get 401 on every guarded route; an unknown key too', async () => {
      const guarded = routes.filter((route) => !publicRoutes.has(`${route.method} ${route.path}`))
      for (const route of guarded) {
        assert.equal(
          (await send(route, {}, a.owner.operatorId)).statusCode,
          401,
          `${route.method} ${route.path}`,
        )
      }
      const unknown = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer('cus_sk_not-a-real-key'),
      })
      assert.equal(unknown.statusCode, 401)
    })

    test('a revoked secret key stops working at once', async () => {
      const created = await harness.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(a.secretKey),
        payload: { kind: 'secret', label: 'short-lived' },
      })
      assert.equal(created.statusCode, 201)
      const { id, key } = created.json<{ id: string; key: string }>()
      assert.equal(
        (await harness.app.inject({ url: '/v1/workspace', headers: bearer(key) })).statusCode,
        200,
      )
      const listed = (
        await harness.app.inject({ url: '/v1/api-keys', headers: bearer(a.secretKey) })
      ).json<{ data: { id: string; lastUsedAt: string | null }[] }>()
      assert.ok(listed.data.find((item) => item.id === id)?.lastUsedAt, 'last use is recorded')
      assert.ok(!JSON.stringify(listed).includes(key), 'a key is never shown again')
      assert.equal(
        (
          await harness.app.inject({
            method: 'DELETE',
            url: `/v1/api-keys/${id}`,
            headers: bearer(a.secretKey),
          })
        ).statusCode,
        200,
      )
      assert.equal(
        (await harness.app.inject({ url: '/v1/workspace', headers: bearer(key) })).statusCode,
        401,
      )
    })

    describe('roles', () => {
      let agent: SignedIn
      let dpo: SignedIn

      before(async () => {
        agent = await signUpOperator(harness, a.workspaceId, 'agent')
        dpo = await signUpOperator(harness, a.workspaceId, 'dpo', { twoFactor: true })
      })

      test('an agent cannot manage operators, keys, the workspace or read the audit log', async () => {
        for (const [method, url, payload] of [
          ['GET', '/v1/operators', undefined],
          ['POST', '/v1/api-keys', { kind: 'secret', label: 'x' }],
          ['PATCH', '/v1/workspace', { name: 'x' }],
          ['GET', '/v1/audit', undefined],
        ] as const) {
          const response = await harness.app.inject({
            method,
            url,
            headers: agent.headers(),
            ...(payload ? { payload } : {}),
          })
          assert.equal(response.statusCode, 403, `${method} ${url}`)
          assert.equal(response.json().code, 'forbidden')
        }
      })

      test('a dpo reads the audit log but does not manage operators', async () => {
        assert.equal(
          (await harness.app.inject({ url: '/v1/audit', headers: dpo.headers() })).statusCode,
          200,
        )
        assert.equal(
          (await harness.app.inject({ url: '/v1/operators', headers: dpo.headers() })).statusCode,
          403,
        )
      })

      test('an agent can neither export nor erase personal data; a dpo can do both', () => {
        assert.equal(roleMay('agent', 'personal-data:export'), false)
        assert.equal(roleMay('agent', 'personal-data:erase'), false)
        assert.equal(roleMay('dpo', 'personal-data:export'), true)
        assert.equal(roleMay('dpo', 'personal-data:erase'), true)
      })

      test('role changes are audited and the last owner cannot be demoted', async () => {
        const promote = await harness.app.inject({
          method: 'PATCH',
          url: `/v1/operators/${agent.operatorId}`,
          headers: bearer(a.secretKey),
          payload: { role: 'admin' },
        })
        assert.equal(promote.statusCode, 200)
        assert.equal(promote.json().role, 'admin')
        const demoteOwner = await harness.app.inject({
          method: 'PATCH',
          url: `/v1/operators/${a.owner.operatorId}`,
          headers: bearer(a.secretKey),
          payload: { role: 'agent' },
        })
        assert.equal(demoteOwner.statusCode, 409)
        const log = await harness.audit.listEntries(a.workspaceId, { limit: 200 })
        const change = log.entries.find((entry) => entry.action === 'operator.role_changed')
        assert.deepEqual(change?.details, { from: 'agent', to: 'admin' })
      })
    })
  })
}
