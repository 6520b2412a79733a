import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createTenant, password, signIn, type TenantFixture } from './testing/fixtures.js'

// An operator invited with an international address (RFC 6531) sets a password and
// signs in with any spelling of it; a look-alike address is refused without an echo.

for (const dialect of testDialects) {
  describe(
    `operators with international emails [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Tenant')
      })
      after(async () => harness.close())

      const invite = (email: string) =>
        harness.app.inject({
          method: 'POST',
          url: '/v1/operators',
          headers: tenant.owner.headers(),
          payload: { email, role: 'agent' },
        })

      test('josé@bücher.de is invited, kept as typed, and signs in by the A-label spelling', async () => {
        const invited = await invite('josé@bücher.de')
        assert.equal(invited.statusCode, 201, invited.body)
        const created = invited.json<{
          operator: { id: string; email: string }
          setupToken: string
        }>()
        assert.equal(created.operator.email, 'josé@bücher.de')
        const setup = await harness.app.inject({
          method: 'POST',
          url: '/v1/auth/setup',
          payload: { token: created.setupToken, password },
        })
        assert.equal(setup.statusCode, 200, setup.body)
        const signedIn = await signIn(
          harness,
          tenant.workspaceId,
          'JOSE\u0301@xn--bcher-kva.de',
          created.operator.id,
        )
        assert.ok(signedIn.csrfToken)
        const again = await invite('josé@xn--bcher-kva.de')
        assert.equal(again.statusCode, 409, 'the same mailbox in another spelling')
      })

      test('a Cyrillic look-alike address is a 400 that does not repeat it', async () => {
        // Cyrillic а, then the same domain as its A-label, ASCII that passed before.
        for (const email of ['admin@\u0430pple.com', 'admin@xn--pple-43d.com']) {
          const refused = await invite(email)
          assert.equal(refused.statusCode, 400, refused.body)
          assert.equal(refused.json().errors[0].field, 'email')
          for (const spelling of ['\u0430pple', '\\u0430', 'xn--', 'admin@']) {
            assert.ok(!refused.body.includes(spelling), `${spelling}: ${refused.body}`)
          }
        }
      })
    },
  )
}
