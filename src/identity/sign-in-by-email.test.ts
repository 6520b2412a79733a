import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createWorkspace } from '../workspaces/index.js'
import { sessionCookieName } from './authenticate.js'
import { createOperator } from './operators.service.js'
import { password, signUpOperator } from './testing/fixtures.js'
import { totpCodeAt } from './totp.js'

// POST /v1/auth/login without workspaceId: the account is found by email alone.
for (const dialect of testDialects) {
  describe(`sign-in by email alone [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    const workspaces: { id: string; name: string }[] = []
    let addressCount = 0

    const newWorkspace = async (name: string) => {
      const created = await createWorkspace(harness.modules.workspaces, {
        name,
        actor: { actorType: 'system', actorId: null },
      })
      const workspace = { id: created.id, name: created.name }
      workspaces.push(workspace)
      return workspace
    }

    before(async () => {
      harness = await buildTestApp({ dialect })
    })
    after(async () => harness.close())

    // A fresh address for each call: these tests are about accounts, not the address limit.
    const login = (payload: Record<string, unknown>) => {
      addressCount += 1
      return harness.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload,
        remoteAddress: `192.0.2.${addressCount}`,
      })
    }

    test('an email with one account signs in to its workspace, which the answer names', async () => {
      const workspace = await newWorkspace('Solo Studio')
      const agent = await signUpOperator(harness, workspace.id, 'agent')
      const response = await login({ email: agent.email, password })
      assert.equal(response.statusCode, 200)
      const body = response.json()
      assert.equal(body.operator.id, agent.operatorId)
      assert.deepEqual(body.workspace, workspace)
      assert.ok(response.cookies.some((cookie) => cookie.name === sessionCookieName))
    })

    test('several workspaces: a wrong password lists nothing; the right one lists them and starts no session', async () => {
      const first = await newWorkspace('First Agency')
      const second = await newWorkspace('Second Shop')
      const email = 'shared.person@example.com'
      const one = await signUpOperator(harness, first.id, 'admin', { email })
      // Accounts are offered oldest first: the second is made a second later.
      harness.clock.advance(1000)
      const two = await signUpOperator(harness, second.id, 'agent', { email })

      const wrong = await login({ email, password: 'not the password at all' })
      assert.equal(wrong.statusCode, 401)
      for (const secret of [first.id, first.name, second.id, second.name]) {
        assert.ok(!wrong.body.includes(secret), 'nothing is listed before the password is checked')
      }

      const choice = await login({ email, password })
      assert.equal(choice.statusCode, 200)
      assert.deepEqual(choice.json(), { workspaces: [first, second] })
      assert.ok(!choice.cookies.some((cookie) => cookie.name === sessionCookieName))

      const chosen = await login({ email, password, workspaceId: second.id })
      assert.equal(chosen.statusCode, 200)
      assert.equal(chosen.json().operator.id, two.operatorId)
      assert.notEqual(one.operatorId, two.operatorId)
    })

    test('an unknown email and a wrong password get the same status and body', async () => {
      const workspace = await newWorkspace('Quiet Corp')
      const agent = await signUpOperator(harness, workspace.id, 'agent')
      const wrong = await login({ email: agent.email, password: 'not the password at all' })
      const unknown = await login({ email: 'nobody.here@example.com', password })
      assert.equal(wrong.statusCode, 401)
      assert.equal(unknown.statusCode, 401)
      // Everything but what names the request itself.
      const shape = (body: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(body).filter(([key]) => key !== 'instance' && key !== 'requestId'),
        )
      assert.deepEqual(shape(wrong.json()), shape(unknown.json()))
      assert.deepEqual(Object.keys(wrong.json()).sort(), Object.keys(unknown.json()).sort())
      assert.equal(wrong.headers['content-type'], unknown.headers['content-type'])
    })

    test('the lockout is one per email whichever way the sign-in comes', async () => {
      const workspace = await newWorkspace('Locked Ltd')
      const agent = await signUpOperator(harness, workspace.id, 'agent')
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const response = await login({ email: agent.email, password: 'wrong password here' })
        assert.equal(response.statusCode, 401)
      }
      const byWorkspace = await login({ email: agent.email, password, workspaceId: workspace.id })
      assert.equal(byWorkspace.statusCode, 401)
      const byEmail = await login({ email: agent.email, password })
      assert.equal(byEmail.statusCode, 401)
      harness.clock.advance(16 * 60_000)
      assert.equal((await login({ email: agent.email, password })).statusCode, 200)
    })

    test('an unknown email locks like a real one: five misses, then refused without a check', async () => {
      const email = 'ghost@example.com'
      for (let attempt = 0; attempt < 5; attempt += 1) await login({ email, password })
      await harness.audit.flush()
      const lookup = await harness.keyring.instanceBlindIndex('email', email)
      const failed = await harness.storage.db
        .selectFrom('sign_in_attempts')
        .select('state')
        .where('throttle_key', '=', `account:${lookup.toString('hex')}`)
        .execute()
      assert.deepEqual(
        failed.map((row) => row.state),
        ['failed', 'failed', 'failed', 'failed', 'failed'],
      )
      const refused = await login({ email, password })
      assert.equal(refused.statusCode, 401)
    })

    test('with two-factor on, the code completes a sign-in by email', async () => {
      const workspace = await newWorkspace('Careful Clinic')
      const owner = await signUpOperator(harness, workspace.id, 'owner', { twoFactor: true })
      const asked = await login({ email: owner.email, password })
      assert.equal(asked.statusCode, 403)
      assert.equal(asked.json().code, 'two_factor_required')
      // The code of enrolment's time step was used to confirm it: the next step's is new.
      harness.clock.advance(30_000)
      const done = await login({
        email: owner.email,
        password,
        totpCode: totpCodeAt(owner.totpSecret ?? '', harness.clock.now()),
      })
      assert.equal(done.statusCode, 200)
      assert.deepEqual(done.json().workspace, workspace)
    })

    test('an operator from before the instance-wide index signs in by email, and gets it', async () => {
      const workspace = await newWorkspace('Old Hands')
      const agent = await signUpOperator(harness, workspace.id, 'agent')
      await harness.storage.db
        .updateTable('operators')
        .set({ email_lookup: null })
        .where('id', '=', agent.operatorId)
        .execute()
      const response = await login({ email: agent.email, password })
      assert.equal(response.statusCode, 200)
      assert.equal(response.json().operator.id, agent.operatorId)
      const row = await harness.storage.db
        .selectFrom('operators')
        .select('email_lookup')
        .where('id', '=', agent.operatorId)
        .executeTakeFirstOrThrow()
      assert.deepEqual(
        row.email_lookup,
        await harness.keyring.instanceBlindIndex('email', agent.email),
      )
    })

    test('an operator invited before the index gets it when setting the password', async () => {
      const workspace = await newWorkspace('Late Joiners')
      const deps = harness.modules.identity
      const email = 'late.joiner@example.com'
      const created = await createOperator(deps, {
        workspaceId: workspace.id,
        email,
        role: 'agent',
        actor: { actorType: 'system', actorId: null },
      })
      await harness.storage.db
        .updateTable('operators')
        .set({ email_lookup: null })
        .where('id', '=', created.operator.id)
        .execute()
      const setup = await harness.app.inject({
        method: 'POST',
        url: '/v1/auth/setup',
        payload: { token: created.setupToken, password },
      })
      assert.equal(setup.statusCode, 200)
      const row = await harness.storage.db
        .selectFrom('operators')
        .select('email_lookup')
        .where('id', '=', created.operator.id)
        .executeTakeFirstOrThrow()
      assert.deepEqual(row.email_lookup, await harness.keyring.instanceBlindIndex('email', email))
    })
  })
}
