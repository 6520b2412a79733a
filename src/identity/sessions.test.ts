import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { sessionCookieName } from './authenticate.js'
import { createOperator } from './operators.service.js'
import { totpCodeAt } from './totp.js'
import {
  createTenant,
  password,
  signIn,
  signUpOperator,
  type TenantFixture,
} from './testing/fixtures.js'

for (const dialect of testDialects) {
  describe(`sign-in and sessions [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Sessions Inc')
    })
    after(async () => harness.close())

    const login = (payload: Record<string, unknown>, remoteAddress = '192.0.2.10') =>
      harness.app.inject({ method: 'POST', url: '/v1/auth/login', payload, remoteAddress })

    test('a setup link sets a password once; a weak password is refused naming the field', async () => {
      // Links start at the public URL the process was given.
      const identity = { ...harness.modules.identity, publicUrl: () => 'https://c.test' }
      const created = await createOperator(identity, {
        workspaceId: tenant.workspaceId,
        email: 'new@example.com',
        role: 'agent',
        actor: { actorType: 'system', actorId: null },
      })
      assert.match(created.setupUrl, /^https:\/\/c\.test\/setup#token=/)
      const weak = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: created.setupToken, password: 'short' },
      })
      assert.equal(weak.statusCode, 400)
      assert.equal(weak.json().errors[0].field, 'password')
      const ok = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: created.setupToken, password },
      })
      assert.equal(ok.statusCode, 200)
      assert.equal(ok.json().passwordSet, true)
      const again = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: created.setupToken, password },
      })
      assert.equal(again.statusCode, 404)
    })

    test('the session cookie is HttpOnly, Secure and SameSite=Strict', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      const response = await login({
        workspaceId: tenant.workspaceId,
        email: agent.email,
        password,
      })
      const cookie = response.cookies.find((item) => item.name === sessionCookieName)
      assert.ok(cookie)
      assert.equal(cookie.httpOnly, true)
      assert.equal(cookie.secure, true)
      assert.equal(cookie.sameSite, 'Strict')
    })

    test('a wrong password and an unknown account get the same answer', async () => {
      const wrong = await login({
        workspaceId: tenant.workspaceId,
        email: tenant.owner.email,
        password: 'not the password at all',
      })
      const unknown = await login({
        workspaceId: tenant.workspaceId,
        email: 'nobody@example.com',
        password,
      })
      assert.equal(wrong.statusCode, 401)
      assert.equal(unknown.statusCode, 401)
      assert.equal(wrong.json().detail, unknown.json().detail)
    })

    test('an account locks after five failures and unlocks after the lockout', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const response = await login(
          { workspaceId: tenant.workspaceId, email: agent.email, password: 'wrong password here' },
          `198.51.100.${attempt}`,
        )
        assert.equal(response.statusCode, 401)
      }
      const locked = await login({ workspaceId: tenant.workspaceId, email: agent.email, password })
      assert.equal(locked.statusCode, 401, 'the right password must not open a locked account')
      harness.clock.advance(16 * 60_000)
      const unlocked = await login({
        workspaceId: tenant.workspaceId,
        email: agent.email,
        password,
      })
      assert.equal(unlocked.statusCode, 200)
    })

    test('one address failing many times is refused with 429 and Retry-After', async () => {
      let last = await login(
        { workspaceId: tenant.workspaceId, email: 'x@example.com', password: 'wrong' },
        '203.0.113.50',
      )
      for (let attempt = 1; attempt < 21; attempt += 1) {
        last = await login(
          { workspaceId: tenant.workspaceId, email: `x${attempt}@example.com`, password: 'wrong' },
          '203.0.113.50',
        )
      }
      assert.equal(last.statusCode, 429)
      assert.equal(last.headers['retry-after'], String(15 * 60))
      const elsewhere = await login(
        { workspaceId: tenant.workspaceId, email: 'x@example.com', password: 'wrong' },
        '203.0.113.51',
      )
      assert.equal(elsewhere.statusCode, 401)
    })

    test('a cookie-authenticated write without the CSRF token is refused', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      const cookieOnly = { cookie: `${sessionCookieName}=${agent.cookie}` }
      const refused = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/me',
        headers: cookieOnly,
        payload: { firstName: 'Ann' },
      })
      assert.equal(refused.statusCode, 403)
      const forged = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/me',
        headers: { ...cookieOnly, 'x-csrf-token': tenant.owner.csrfToken },
        payload: { firstName: 'Ann' },
      })
      assert.equal(forged.statusCode, 403, "another session's token must not do")
      const read = await harness.app.inject({ method: 'GET', url: '/v1/me', headers: cookieOnly })
      assert.equal(read.statusCode, 200, 'reads need no CSRF token')
      const accepted = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/me',
        headers: agent.headers(),
        payload: { firstName: 'Ann' },
      })
      assert.equal(accepted.statusCode, 200)
      assert.equal(accepted.json().firstName, 'Ann')
    })

    test('a session ends after 30 idle minutes', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      harness.clock.advance(29 * 60_000)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
        200,
      )
      harness.clock.advance(31 * 60_000)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
        401,
      )
    })

    test('a session ends 12 hours after sign-in however busy it is', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      for (let quarter = 0; quarter < 47; quarter += 1) {
        harness.clock.advance(15 * 60_000)
        assert.equal(
          (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
          200,
        )
      }
      harness.clock.advance(16 * 60_000)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
        401,
      )
    })

    test('logout ends this session; logout everywhere ends all of them', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      const second = await signIn(harness, tenant.workspaceId, agent.email, agent.operatorId)
      const third = await signIn(harness, tenant.workspaceId, agent.email, agent.operatorId)
      const out = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/logout',
        headers: agent.headers(),
      })
      assert.equal(out.statusCode, 200)
      assert.equal(out.json().sessionsEnded, 1)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
        401,
      )
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: second.headers() })).statusCode,
        200,
      )
      const all = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/logout?everywhere=true',
        headers: second.headers(),
      })
      assert.equal(all.json().sessionsEnded, 2)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: third.headers() })).statusCode,
        401,
      )
    })

    test('sign-ins and failures are in the audit log, without the email', async () => {
      // Earlier tests moved the clock past the owner's session: sign in again, with 2FA.
      const owner = await signIn(
        harness,
        tenant.workspaceId,
        tenant.owner.email,
        tenant.owner.operatorId,
        {
          totpCode: totpCodeAt(tenant.owner.totpSecret ?? '', harness.clock.now()),
        },
      )
      const response = await harness.app.inject({
        url: '/v1/audit?limit=200',
        headers: owner.headers(),
      })
      assert.equal(response.statusCode, 200)
      const actions = new Set(response.json().data.map((entry: { action: string }) => entry.action))
      for (const action of [
        'auth.login',
        'auth.login_failed',
        'auth.account_locked',
        'auth.two_factor_enabled',
        'workspace.created',
      ]) {
        assert.ok(actions.has(action), `audit has ${action}`)
      }
      assert.ok(!response.body.includes(tenant.owner.email))
    })
  })
}
