import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type App, buildApp } from '../app.js'
import { type AuditLog, createAuditLog } from '../audit/index.js'
import { type Keyring, openKeyring } from '../crypto/index.js'
import { createModules } from '../modules.js'
import type { Storage } from '../storage/index.js'
import { dialectSkip, openSecondHandle, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createWorkspace } from '../workspaces/index.js'
import { processHashSlots } from './hash-slots.js'
import { password, signUpOperator } from './testing/fixtures.js'

// The sign-in limits under concurrent requests, through the HTTP API: each test fires
// its burst at once and counts what was checked from the audit log, never from time.

/** The same app on a second handle to the same database: what another process is. */
async function openSecondProcess(harness: TestApp): Promise<{
  app: App
  storage: Storage
  keyring: Keyring
  audit: AuditLog
  close(): Promise<void>
}> {
  const storage = openSecondHandle(harness.storage)
  const logger = harness.logs.logger
  const keyring = await openKeyring({
    storage,
    config: harness.config,
    logger,
    clock: harness.clock,
  })
  const audit = createAuditLog({ db: storage.db, keyring, clock: harness.clock, logger })
  const modules = createModules({
    config: harness.config,
    storage,
    logger,
    clock: harness.clock,
    keyring,
    audit,
    publicUrl: () => 'https://custodian.test',
    passwordCost: { logN: 12, r: 8, p: 1 },
  })
  const app = await buildApp({ modules })
  return {
    app,
    storage,
    keyring,
    audit,
    async close() {
      await app.close()
      await modules.close()
      await audit.close()
      await keyring.close()
      await storage.close()
    },
  }
}

for (const dialect of testDialects) {
  describe(`sign-in limits under concurrency [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let workspaceId: string

    before(async () => {
      harness = await buildTestApp({ dialect })
      const workspace = await createWorkspace(harness.modules.workspaces, {
        name: 'Limits Ltd',
        actor: { actorType: 'system', actorId: null },
      })
      workspaceId = workspace.id
    })
    after(async () => harness.close())

    const login = (payload: Record<string, unknown>, remoteAddress: string, app = harness.app) =>
      app.inject({ method: 'POST', url: '/v1/auth/login', payload, remoteAddress })

    /** Why each failed sign-in of this operator failed, as the audit log has it. */
    const failureReasons = async (operatorId: string): Promise<string[]> => {
      await harness.audit.flush()
      const page = await harness.audit.listEntries(workspaceId, {
        action: 'auth.login_failed',
        subjectId: operatorId,
        limit: 200,
      })
      return page.entries.map((entry) => String(entry.details?.reason))
    }
    const wrongPasswordsChecked = async (operatorId: string) =>
      (await failureReasons(operatorId)).filter((reason) => reason === 'wrong password').length

    const wrongBurst = (email: string, count: number, app = harness.app) =>
      Array.from({ length: count }, (_, index) =>
        login(
          { workspaceId, email, password: `wrong password ${index}` },
          // Each from its own address: only the account's limit is at work.
          `198.51.${100 + Math.floor(index / 250)}.${index % 250}`,
          app,
        ),
      )

    /** Reservations and failures that count for the account now. */
    const liveAttempts = async (email: string): Promise<number> => {
      const lookup = await harness.keyring.instanceBlindIndex('email', email)
      const row = await harness.storage.db
        .selectFrom('sign_in_attempts')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .where('throttle_key', '=', `account:${lookup.toString('hex')}`)
        .where('expires_at', '>', harness.clock.now().toISOString())
        .executeTakeFirstOrThrow()
      return Number(row.count)
    }

    test('25 wrong passwords at once: at most 5 are checked and the account ends locked', async () => {
      const agent = await signUpOperator(harness, workspaceId, 'agent')
      const burst = await Promise.all(wrongBurst(agent.email, 25))
      assert.deepEqual(new Set(burst.map((response) => response.statusCode)), new Set([401]))
      const checked = await wrongPasswordsChecked(agent.operatorId)
      assert.ok(checked <= 5, `${checked} wrong passwords were checked`)
      const right = await login({ workspaceId, email: agent.email, password }, '192.0.2.200')
      assert.equal(right.statusCode, 401, 'the right password must not open a locked account')
      assert.equal(right.json().detail, burst[0]?.json().detail)
      const locks = await harness.audit.listEntries(workspaceId, {
        action: 'auth.account_locked',
        subjectId: agent.operatorId,
      })
      assert.equal(locks.entries.length, 1, 'the lock is recorded once')
    })

    test('the right password sent while the burst holds every place is refused', async () => {
      const agent = await signUpOperator(harness, workspaceId, 'agent')
      const burst = wrongBurst(agent.email, 25)
      // Wait (without timing anything) until the wrong guesses hold the account's limit.
      for (let look = 0; (await liveAttempts(agent.email)) < 5; look += 1) {
        assert.ok(look < 100_000, 'the burst never reached the limit')
        await new Promise((resolve) => setImmediate(resolve))
      }
      const right = await login({ workspaceId, email: agent.email, password }, '192.0.2.201')
      const responses = await Promise.all(burst)
      assert.equal(right.statusCode, 401)
      assert.ok(responses.every((response) => response.statusCode === 401))
      assert.ok((await wrongPasswordsChecked(agent.operatorId)) <= 5)
    })

    test('30 failures at once from one address: at most 20 are evaluated, the rest get 429', async () => {
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          login(
            { workspaceId, email: `nobody${index}@example.com`, password: 'wrong password' },
            '203.0.113.77',
          ),
        ),
      )
      const count = (status: number) => burst.filter((response) => response.statusCode === status)
      // 503: granted a place, then turned away by this process's full hash queue (not checked).
      const evaluated = count(401).length
      assert.ok(evaluated + count(503).length <= 20, `${evaluated} attempts were evaluated`)
      assert.ok(count(429).length >= 10)
      assert.equal(evaluated + count(503).length + count(429).length, 30)
      assert.ok(count(429).every((response) => Number(response.headers['retry-after']) > 0))
    })

    test('a second process on the same database sees the first one’s reservations', async () => {
      const agent = await signUpOperator(harness, workspaceId, 'agent')
      const other = await openSecondProcess(harness)
      try {
        const responses = await Promise.all([
          ...wrongBurst(agent.email, 13),
          ...wrongBurst(agent.email, 12, other.app),
        ])
        assert.ok(responses.every((response) => response.statusCode === 401))
        await other.audit.flush()
        const checked = await wrongPasswordsChecked(agent.operatorId)
        assert.ok(checked <= 5, `${checked} wrong passwords were checked by the two processes`)
        const right = await login(
          { workspaceId, email: agent.email, password },
          '192.0.2.202',
          other.app,
        )
        assert.equal(right.statusCode, 401)
      } finally {
        await other.close()
      }
    })

    test('a sign-in turned away by a full hash queue answers 503 and keeps no place', async () => {
      const agent = await signUpOperator(harness, workspaceId, 'agent')
      let open = (): void => {}
      const gate = new Promise<void>((resolve) => {
        open = resolve
      })
      const holders = Array.from(
        { length: processHashSlots.limit + processHashSlots.maxWaiting },
        () => processHashSlots.run(() => gate),
      )
      try {
        assert.equal(processHashSlots.waiting, processHashSlots.maxWaiting)
        const refused = await login({ workspaceId, email: agent.email, password }, '192.0.2.203')
        assert.equal(refused.statusCode, 503)
        assert.equal(refused.headers['retry-after'], '1')
        assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
        assert.equal(await liveAttempts(agent.email), 0)
      } finally {
        open()
        await Promise.all(holders)
      }
      const signedIn = await login({ workspaceId, email: agent.email, password }, '192.0.2.203')
      assert.equal(signedIn.statusCode, 200)
    })
  })
}
