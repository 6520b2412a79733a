import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createWorkspace } from '../workspaces/index.js'
import { createOperator } from './operators.service.js'
import { maskEmail } from './setup-link.js'
import { password } from './testing/fixtures.js'

test('a masked email keeps the ends of the mailbox and the domain, in whole characters', () => {
  assert.equal(maskEmail('ada.lovelace@example.com'), 'a…e@example.com')
  assert.equal(maskEmail('jo@example.com'), 'j…@example.com')
  assert.equal(maskEmail('josé@bücher.de'), 'j…é@bücher.de')
  assert.equal(maskEmail('e\u0301mile@example.com'), 'e\u0301…e@example.com')
})

for (const dialect of testDialects) {
  describe(`checking a setup link [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let workspaceId: string

    before(async () => {
      harness = await buildTestApp({ dialect })
      const workspace = await createWorkspace(harness.modules.workspaces, {
        name: 'Invite & Co',
        actor: { actorType: 'system', actorId: null },
      })
      workspaceId = workspace.id
    })
    after(async () => harness.close())

    const invite = (email: string) =>
      createOperator(harness.modules.identity, {
        workspaceId,
        email,
        role: 'admin',
        actor: { actorType: 'system', actorId: null },
      })
    const check = (token: string) =>
      harness.app.inject({ method: 'POST', url: '/v1/auth/setup/check', payload: { token } })

    test('a working link names its workspace and a masked email, and stays usable', async () => {
      const created = await invite('grace.hopper@example.com')
      const response = await check(created.setupToken)
      assert.equal(response.statusCode, 200)
      assert.deepEqual(response.json(), {
        workspace: { id: workspaceId, name: 'Invite & Co' },
        email: 'g…r@example.com',
        role: 'admin',
        expiresAt: created.expiresAt,
      })
      assert.ok(!response.body.includes('grace.hopper'))
      assert.equal((await check(created.setupToken)).statusCode, 200, 'checking uses nothing up')
      const entries = await harness.audit.listEntries(workspaceId, {
        action: 'auth.setup_link_checked',
        subjectId: created.operator.id,
      })
      assert.equal(entries.entries.length, 2, 'opening the email to mask it is on the record')
    })

    test('an unknown, used or expired link answers the same clear problem', async () => {
      const unknown = await check('x'.repeat(43))
      const used = await invite('used.link@example.com')
      const setup = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: used.setupToken, password },
      })
      assert.equal(setup.statusCode, 200)
      const expired = await invite('late.link@example.com')
      harness.clock.advance(73 * 3_600_000)
      for (const response of [
        unknown,
        await check(used.setupToken),
        await check(expired.setupToken),
      ]) {
        assert.equal(response.statusCode, 404)
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
        assert.equal(response.json().detail, 'This setup link is unknown, used or expired')
      }
    })
  })
}
