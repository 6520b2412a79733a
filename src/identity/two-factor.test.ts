import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createWorkspace } from '../workspaces/index.js'
import { password, signUpOperator } from './testing/fixtures.js'
import { totpCodeAt } from './totp.js'

for (const dialect of testDialects) {
  describe(`two-factor authentication [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let workspaceId: string

    before(async () => {
      harness = await buildTestApp({ dialect })
      const workspace = await createWorkspace(harness.modules.workspaces, {
        name: '2FA Ltd',
        actor: { actorType: 'system', actorId: null },
      })
      workspaceId = workspace.id
    })
    after(async () => harness.close())

    const login = (email: string, extra: Record<string, string> = {}) =>
      harness.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { workspaceId, email, password, ...extra },
      })

    test('an owner without 2FA reaches nothing but enrolment, then everything', async () => {
      const owner = await signUpOperator(harness, workspaceId, 'owner')
      const before2fa = await harness.app.inject({ url: '/v1/operators', headers: owner.headers() })
      assert.equal(before2fa.statusCode, 403)
      assert.equal(before2fa.json().code, 'two_factor_required')
      assert.equal(
        (await harness.app.inject({ url: '/v1/audit', headers: owner.headers() })).statusCode,
        403,
      )

      const enrolment = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/enroll',
        headers: owner.headers(),
      })
      assert.equal(enrolment.statusCode, 200)
      const { secret, otpauthUri } = enrolment.json<{ secret: string; otpauthUri: string }>()
      assert.match(otpauthUri, /^otpauth:\/\/totp\/Custodian:.+\?.*secret=/)
      const wrong = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/confirm',
        headers: owner.headers(),
        payload: { code: '000000' },
      })
      assert.equal(wrong.statusCode, 400)
      const confirm = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/confirm',
        headers: owner.headers(),
        payload: { code: totpCodeAt(secret, harness.clock.now()) },
      })
      assert.equal(confirm.statusCode, 200)
      const codes = confirm.json<{ recoveryCodes: string[] }>().recoveryCodes
      assert.equal(codes.length, 10)
      assert.equal(new Set(codes).size, 10)
      assert.equal(
        (await harness.app.inject({ url: '/v1/operators', headers: owner.headers() })).statusCode,
        200,
      )
    })

    test('an agent may work without 2FA (only sensitive roles must have it)', async () => {
      const agent = await signUpOperator(harness, workspaceId, 'agent')
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: agent.headers() })).statusCode,
        200,
      )
    })

    test('with 2FA on, sign-in needs a current code, and a code works once', async () => {
      const admin = await signUpOperator(harness, workspaceId, 'admin', { twoFactor: true })
      const secret = admin.totpSecret ?? ''
      harness.clock.advance(60_000)
      const missing = await login(admin.email)
      assert.equal(missing.statusCode, 403)
      assert.equal(missing.json().code, 'two_factor_required')

      const code = totpCodeAt(secret, harness.clock.now())
      assert.equal((await login(admin.email, { totpCode: code })).statusCode, 200)
      assert.equal(
        (await login(admin.email, { totpCode: code })).statusCode,
        401,
        'a replayed code is refused',
      )

      harness.clock.advance(30_000)
      const previous = totpCodeAt(secret, new Date(harness.clock.now().getTime() - 30_000))
      assert.equal(
        (await login(admin.email, { totpCode: previous })).statusCode,
        401,
        'the step already used stays used',
      )
      const current = totpCodeAt(secret, harness.clock.now())
      assert.equal((await login(admin.email, { totpCode: current })).statusCode, 200)

      harness.clock.advance(90_000)
      const expired = totpCodeAt(secret, new Date(harness.clock.now().getTime() - 60_000))
      assert.equal(
        (await login(admin.email, { totpCode: expired })).statusCode,
        401,
        'two steps old is expired',
      )
    })

    test('a recovery code signs in once', async () => {
      const dpo = await signUpOperator(harness, workspaceId, 'dpo')
      const enrolment = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/enroll',
        headers: dpo.headers(),
      })
      const { secret } = enrolment.json<{ secret: string }>()
      const confirm = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/confirm',
        headers: dpo.headers(),
        payload: { code: totpCodeAt(secret, harness.clock.now()) },
      })
      const [first] = confirm.json<{ recoveryCodes: string[] }>().recoveryCodes
      assert.ok(first)
      assert.equal((await login(dpo.email, { recoveryCode: first.toUpperCase() })).statusCode, 200)
      assert.equal((await login(dpo.email, { recoveryCode: first })).statusCode, 401)
    })

    test('turning 2FA off needs a code and is audited', async () => {
      const admin = await signUpOperator(harness, workspaceId, 'admin', { twoFactor: true })
      harness.clock.advance(30_000)
      const refused = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/disable',
        headers: admin.headers(),
        payload: { code: '123456' },
      })
      assert.equal(refused.statusCode, 400)
      const off = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/disable',
        headers: admin.headers(),
        payload: { code: totpCodeAt(admin.totpSecret ?? '', harness.clock.now()) },
      })
      assert.equal(off.statusCode, 204)
      assert.equal(
        (await harness.app.inject({ url: '/v1/operators', headers: admin.headers() })).json().code,
        'two_factor_required',
      )
      const entries = await harness.audit.listEntries(workspaceId, { limit: 200 })
      assert.ok(
        entries.entries.some(
          (entry) =>
            entry.action === 'auth.two_factor_disabled' && entry.actor.id === admin.operatorId,
        ),
      )
    })
  })
}
