import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { AuditEntryView } from '../audit/index.js'
import { isAppError } from '../errors.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import type { IdentityAuditAction } from './identity.audit.js'
import type { IdentityDeps } from './identity.deps.js'
import { createOperator, disableOperator } from './operators.service.js'
import type { Actor } from './principal.js'
import { issueApiKey, reissueSetupLink, resetTwoFactor } from './recovery.service.js'
import { bearer, createTenant, password, signIn, type TenantFixture } from './testing/fixtures.js'
import { totpCodeAt } from './totp.js'

const system: Actor = { actorType: 'system', actorId: null }
const newPassword = 'a fresh and private passphrase'

for (const dialect of testDialects) {
  describe(`recovery by the platform admin [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let deps: IdentityDeps
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      deps = harness.modules.identity
      tenant = await createTenant(harness, 'Recovery Ltd')
    })
    after(async () => harness.close())

    const setup = (token: string, chosen = password) =>
      harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token, password: chosen },
      })
    const login = (email: string, extra: Record<string, string> = {}) =>
      harness.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { workspaceId: tenant.workspaceId, email, password, ...extra },
      })
    const invite = (email: string, role: 'owner' | 'admin' | 'agent' = 'admin') =>
      createOperator(deps, { workspaceId: tenant.workspaceId, email, role, actor: system })
    const recover = (email: string) => ({ workspaceId: tenant.workspaceId, email, actor: system })

    async function latestEntry(action: IdentityAuditAction): Promise<AuditEntryView> {
      const page = await harness.audit.listEntries(tenant.workspaceId, { action, limit: 1 })
      const entry = page.entries[0]
      assert.ok(entry, `no ${action} entry`)
      return entry
    }

    async function liveSessions(operatorId: string): Promise<number> {
      const rows = await harness.storage.db
        .selectFrom('sessions')
        .select('id')
        .where('workspace_id', '=', tenant.workspaceId)
        .where('operator_id', '=', operatorId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', harness.clock.now().toISOString())
        .execute()
      return rows.length
    }

    test('invite-again voids the earlier link; the new one lets a never-set-up operator in', async () => {
      const invited = await invite('late.admin@recovery.example')
      const again = await reissueSetupLink(deps, recover('Late.Admin@recovery.example '))
      assert.equal(again.operator.id, invited.operator.id)
      assert.equal(again.voidedLinks, 1)
      assert.equal(again.setupUrl, `https://custodian.test/setup#token=${again.setupToken}`)
      assert.equal(Date.parse(again.expiresAt) - harness.clock.now().getTime(), 72 * 3_600_000)

      const old = await setup(invited.setupToken)
      assert.equal(old.statusCode, 404, 'the earlier link no longer works')
      assert.equal((await setup(again.setupToken)).statusCode, 200)
      assert.equal((await login('late.admin@recovery.example')).statusCode, 200)

      const entry = await latestEntry('operator.setup_link_reissued')
      assert.deepEqual(entry.actor, { type: 'system', id: null })
      assert.deepEqual(entry.resource, { type: 'operator', id: invited.operator.id })
      assert.deepEqual(entry.details, { voidedLinks: 1, passwordSet: false })
    })

    test('after an invitation expired, invite-again gives a link that works', async () => {
      const invited = await invite('expired@recovery.example', 'agent')
      harness.clock.advance(73 * 3_600_000)
      assert.equal((await setup(invited.setupToken)).statusCode, 404)
      const again = await reissueSetupLink(deps, recover('expired@recovery.example'))
      assert.equal(again.voidedLinks, 0, 'an expired link was not live')
      assert.equal((await setup(again.setupToken)).statusCode, 200)
      assert.equal((await login('expired@recovery.example')).statusCode, 200)
    })

    test('a lost password: the link sets a new one, ends every session and lifts the lockout', async () => {
      const invited = await invite('forgetful@recovery.example', 'agent')
      await setup(invited.setupToken)
      const session = await signIn(
        harness,
        tenant.workspaceId,
        'forgetful@recovery.example',
        invited.operator.id,
      )
      for (let attempt = 0; attempt < 5; attempt++) {
        await login('forgetful@recovery.example', { password: 'not the password at all' })
      }
      assert.equal((await login('forgetful@recovery.example')).statusCode, 401, 'locked out')

      const again = await reissueSetupLink(deps, recover('forgetful@recovery.example'))
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: session.headers() })).statusCode,
        200,
        'issuing a link alone signs nobody out',
      )
      assert.equal((await setup(again.setupToken, newPassword)).statusCode, 200)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: session.headers() })).statusCode,
        401,
        'the session from before the reset is over',
      )
      assert.equal(await liveSessions(invited.operator.id), 0)
      assert.equal(
        (await login('forgetful@recovery.example', { password: newPassword })).statusCode,
        200,
        'the new password works at once, lockout lifted',
      )
      assert.equal((await login('forgetful@recovery.example')).statusCode, 401, 'the old one not')
      assert.equal((await setup(again.setupToken, password)).statusCode, 404, 'the link works once')

      const reissued = await latestEntry('operator.setup_link_reissued')
      assert.deepEqual(reissued.details, { voidedLinks: 0, passwordSet: true })
      const reset = await latestEntry('auth.password_reset')
      assert.deepEqual(reset.actor, { type: 'operator', id: invited.operator.id })
      assert.deepEqual(reset.details, { sessionsEnded: '1' })
    })

    test('reset-2fa leaves no TOTP, no recovery code and no live session, and is audited', async () => {
      const { owner } = tenant
      harness.clock.advance(30_000)
      const session = await signIn(harness, tenant.workspaceId, owner.email, owner.operatorId, {
        totpCode: totpCodeAt(owner.totpSecret ?? '', harness.clock.now()),
      })
      const sessionsBefore = await liveSessions(owner.operatorId)
      assert.ok(sessionsBefore >= 1)
      const reset = await resetTwoFactor(deps, recover(owner.email))
      assert.deepEqual(
        {
          wasOn: reset.twoFactorWasOn,
          codes: reset.recoveryCodesDeleted,
          sessions: reset.sessionsEnded,
          twoFactorEnabled: reset.operator.twoFactorEnabled,
        },
        { wasOn: true, codes: 10, sessions: sessionsBefore, twoFactorEnabled: false },
      )
      const row = await harness.storage.db
        .selectFrom('operators')
        .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
        .where('id', '=', owner.operatorId)
        .executeTakeFirstOrThrow()
      assert.deepEqual(row, { totp_secret: null, totp_enabled_at: null, totp_last_step: null })
      const codes = await harness.storage.db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('operator_id', '=', owner.operatorId)
        .execute()
      assert.equal(codes.length, 0)
      assert.equal(await liveSessions(owner.operatorId), 0)
      assert.equal(
        (await harness.app.inject({ url: '/v1/me', headers: session.headers() })).statusCode,
        401,
      )

      // The password alone signs in now, and the owner reaches nothing but enrolment.
      const again = await signIn(harness, tenant.workspaceId, owner.email, owner.operatorId)
      const blocked = await harness.app.inject({ url: '/v1/operators', headers: again.headers() })
      assert.equal(blocked.json().code, 'two_factor_required')
      const enrolment = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/enroll',
        headers: again.headers(),
      })
      assert.equal(enrolment.statusCode, 200)
      const { secret } = enrolment.json<{ secret: string }>()
      const confirm = await harness.app.inject({
        method: 'POST',
        url: '/v1/me/2fa/confirm',
        headers: again.headers(),
        payload: { code: totpCodeAt(secret, harness.clock.now()) },
      })
      assert.equal(confirm.statusCode, 200)

      const entry = await latestEntry('auth.two_factor_reset')
      assert.deepEqual(entry.actor, { type: 'system', id: null })
      assert.deepEqual(entry.resource, { type: 'operator', id: owner.operatorId })
      assert.deepEqual(entry.details, {
        twoFactorWasOn: true,
        recoveryCodesDeleted: 10,
        sessionsEnded: sessionsBefore,
      })
    })

    test('an unknown email is not_found without naming anyone', async () => {
      for (const attempt of [
        () => reissueSetupLink(deps, recover('nobody@recovery.example')),
        () => resetTwoFactor(deps, recover('nobody@recovery.example')),
      ]) {
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(isAppError(error))
          assert.equal(error.code, 'not_found')
          assert.equal(error.message, 'No operator in this workspace has this email')
          return true
        })
      }
      await assert.rejects(
        reissueSetupLink(deps, { ...recover(tenant.owner.email), workspaceId: 'ws_missing' }),
        /No such workspace/,
      )
    })

    test('a disabled operator is refused: recovery does not undo the workspace’s decision', async () => {
      const invited = await invite('gone@recovery.example', 'agent')
      await disableOperator(deps, {
        workspaceId: tenant.workspaceId,
        operatorId: invited.operator.id,
        actor: system,
      })
      for (const attempt of [
        () => reissueSetupLink(deps, recover('gone@recovery.example')),
        () => resetTwoFactor(deps, recover('gone@recovery.example')),
      ]) {
        await assert.rejects(attempt, (error: unknown) => {
          assert.ok(isAppError(error))
          assert.equal(error.code, 'conflict')
          assert.match(error.message, /disabled by the workspace/)
          return true
        })
      }
    })

    test('keys create: a secret key reads the workspace, a public key cannot read contacts', async () => {
      const secret = await issueApiKey(deps, {
        workspaceId: tenant.workspaceId,
        kind: 'secret',
        label: ' Billing server ',
        actor: system,
      })
      assert.equal(secret.kind, 'secret')
      assert.equal(secret.label, 'Billing server')
      assert.match(secret.key, /^cus_sk_/)
      const workspace = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(secret.key),
      })
      assert.equal(workspace.statusCode, 200)
      assert.equal(workspace.json().id, tenant.workspaceId)
      const stored = await harness.storage.db
        .selectFrom('api_keys')
        .select(['secret_hash', 'created_by'])
        .where('id', '=', secret.id)
        .executeTakeFirstOrThrow()
      assert.notEqual(stored.secret_hash, secret.key, 'only the hash is stored')
      assert.ok(!stored.secret_hash.includes(secret.key.slice(7)))
      assert.equal(stored.created_by, null)

      const browser = await issueApiKey(deps, {
        workspaceId: tenant.workspaceId,
        kind: 'public',
        label: 'Browser SDK',
        actor: system,
      })
      assert.match(browser.key, /^cus_pk_/)
      const contacts = await harness.app.inject({
        url: '/v1/contacts',
        headers: bearer(browser.key),
      })
      assert.equal(contacts.statusCode, 403)

      const entry = await latestEntry('api_key.created')
      assert.deepEqual(entry.actor, { type: 'system', id: null })
      assert.deepEqual(entry.resource, { type: 'api_key', id: browser.id })
      assert.deepEqual(entry.details, { kind: 'public' })
    })

    test('keys create refuses an unknown workspace and an empty or overlong name', async () => {
      const input = { workspaceId: tenant.workspaceId, kind: 'secret', actor: system } as const
      await assert.rejects(
        issueApiKey(deps, { ...input, workspaceId: 'ws_missing', label: 'x' }),
        /No such workspace/,
      )
      await assert.rejects(issueApiKey(deps, { ...input, label: '  ' }), /1 to 100 characters/)
      await assert.rejects(
        issueApiKey(deps, { ...input, label: 'k'.repeat(101) }),
        /1 to 100 characters/,
      )
    })
  })
}
