import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import {
  anyone,
  checkAccess,
  checkPlatformAdmin,
  platformAdmin,
  requires,
  securityOf,
} from './access.js'

describe('declared access', () => {
  let harness: TestApp

  before(async () => {
    harness = await buildTestApp()
  })
  after(async () => harness.close())

  test('a route that declares no access stops start-up', () => {
    assert.throws(
      () => harness.app.get('/v1/test/open-by-omission', async () => ({ ok: true })),
      /declares no access/,
    )
  })

  test('every OpenAPI operation declares its security, from the same declaration', async () => {
    const document = (await harness.app.inject({ url: '/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>
      servers: { url: string }[]
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> }
    }>()
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    )
    assert.ok(operations.length > 40)
    // Open to anyone: only health, documentation, the ways to sign in, a person's export
    // download, whose unguessable token in the path is the credential, and the Data
    // Rights Protocol's endpoints, which authenticate themselves first thing (the agent's
    // pair-wise token and its Ed25519-signed body).
    const mayBeOpen = (path: string) =>
      [
        '/healthz',
        '/v1/openapi.json',
        '/problems/{code}',
        '/v1/rights/exports/{token}',
        // What a workspace publishes to everyone: its verification keys and privacy notice.
        '/v1/workspaces/{id}/jwks.json',
        '/v1/workspaces/{id}/privacy-notice.json',
        '/v1/workspaces/{id}/privacy-notice.html',
      ].includes(path) ||
      (path.startsWith('/v1/auth/') && path !== '/v1/auth/logout') ||
      path.startsWith('/v1/data-rights-request') ||
      path.startsWith('/v1/agent/')
    for (const { path, method, operation } of operations) {
      assert.ok(Array.isArray(operation.security), `${method} ${path} declares no security`)
      if (operation.security.length === 0) {
        assert.ok(mayBeOpen(path), `${method} ${path} is open to anyone`)
        continue
      }
      const schemes = operation.security.flatMap((requirement) => Object.keys(requirement))
      // The platform admin's routes take the instance's admin token and nothing else.
      if (path.startsWith('/v1/system/')) {
        assert.deepEqual(operation.security, [{ adminToken: [] }], `${method} ${path}`)
        continue
      }
      assert.ok(schemes.includes('session'), `${method} ${path}: no session alternative`)
      if (method !== 'get') {
        const session = operation.security.find((requirement) => 'session' in requirement)
        assert.ok(session && 'csrf' in session, `${method} ${path}: a write without CSRF`)
      }
    }
    const ingest = document.paths['/v1/events']?.post?.security ?? []
    assert.deepEqual(ingest, [{ secretKey: [] }, { publicKey: [] }, { session: [], csrf: [] }])
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), [
      'adminToken',
      'csrf',
      'publicKey',
      'secretKey',
      'session',
    ])
    assert.equal(document.servers[0]?.url, 'https://custodian.test')
    assert.ok(document.components.schemas.Problem)
  })

  test("the platform admin's token: the configured one only, and no one when none is configured", () => {
    const token = 'a'.repeat(20) + 'b'.repeat(20)
    const configured = platformAdmin(token)
    const unconfigured = platformAdmin(undefined)
    assert.ok(configured.kind === 'platform-admin' && unconfigured.kind === 'platform-admin')
    assert.doesNotThrow(() => checkPlatformAdmin(`Bearer ${token}`, configured.tokenDigest))
    for (const header of [undefined, '', `Bearer ${token}c`, `Basic ${token}`, token]) {
      assert.throws(() => checkPlatformAdmin(header, configured.tokenDigest), {
        code: 'unauthorized',
      })
    }
    assert.throws(() => checkPlatformAdmin(`Bearer ${token}`, unconfigured.tokenDigest), {
      code: 'unauthorized',
    })
    assert.ok(!JSON.stringify(configured).includes(token), 'only its digest is held')
  })

  test('the check answers 401 without credentials and 403 to the public key', () => {
    const publicKey = { kind: 'public-key' as const, workspaceId: 'w', apiKeyId: 'k' }
    assert.throws(() => checkAccess(undefined, requires('personal-data:read')), {
      code: 'unauthorized',
    })
    assert.throws(() => checkAccess(publicKey, requires('personal-data:read')), {
      code: 'forbidden',
    })
    checkAccess(publicKey, requires('personal-data:write', { publicKey: true }))
    const owner = {
      kind: 'operator' as const,
      workspaceId: 'w',
      operatorId: 'o',
      role: 'owner' as const,
      twoFactorEnabled: false,
      sessionId: 's',
    }
    assert.throws(() => checkAccess(owner, requires('audit:read')), {
      code: 'two_factor_required',
      message: /before an owner account/,
    })
    checkAccess(undefined, anyone)
    assert.deepEqual(securityOf(anyone, 'GET'), [])
  })
})
