import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { testDatabaseUrl } from '../../src/storage/testing/dialects.js'
import { runCli, type ServeProcess, startServeProcess } from '../cli-process.js'
import { longRun, reportFigure } from './long-run.js'
import { type RoundRobinProxy, startRoundRobinProxy } from './proxy.js'
import {
  createWorkspaceByCli,
  dialectSkip,
  makeServeStore,
  type ServeStore,
  verifyAuditByCli,
  type WorkspaceKeys,
} from './stores.js'
import {
  call,
  type Client,
  emptyLedger,
  type Ledger,
  runWriters,
  seededRandom,
  verifyLedger,
} from './workload.js'

/**
 * DESIGN.md's scale path: "the process itself is stateless, so N copies sit behind a
 * load balancer", and "anything that must run once takes a database lease". Two real
 * `custodian serve` processes on one PostgreSQL schema, behind a round-robin proxy the
 * test starts: what one acknowledges the other reads; an erasure through one is
 * refused by the other at once (Art. 17: "without undue delay"); a scheduled job runs in
 * one of them only; the audit log stays one verifiable chain; and when one is killed
 * mid-request, nothing either acknowledged is lost.
 */
const seed = Number(process.env.CRASH_SEED ?? 20261206)
const writeMs = longRun ? 8000 : 1500

describe('two serve processes on one PostgreSQL', { skip: dialectSkip('postgres') }, () => {
  let store: ServeStore
  let keys: WorkspaceKeys
  let dataDirB: string
  let first: ServeProcess
  let second: ServeProcess
  let proxy: RoundRobinProxy
  // Every contact any test sent: verifyLedger lists the workspace's contacts whole.
  const contactsSent: Ledger['contacts'] = []
  const dpoEmail = 'dpo-two-processes@example.com'
  const servers = () => [first, second]
  const direct = (server: () => ServeProcess): Client => ({
    baseUrl: () => server().url,
    secretKey: keys.secretKey,
  })

  const start = (dataDir: string) => startServeProcess(['--data', dataDir], store.env)

  before(async () => {
    store = await makeServeStore('postgres')
    keys = createWorkspaceByCli(store, 'Two Process Co')
    const dpo = runCli(
      [
        'operator',
        'create',
        '--workspace',
        keys.id,
        '--email',
        dpoEmail,
        '--role',
        'dpo',
        '--json',
        ...store.args,
      ],
      store.env,
    )
    assert.equal(dpo.status, 0, dpo.stderr)
    dataDirB = mkdtempSync(join(tmpdir(), 'custodian-reliability-b-'))
    ;[first, second] = await Promise.all([start(store.dataDir), start(dataDirB)])
    proxy = await startRoundRobinProxy(() => servers().map((server) => server.url))
  })
  after(async () => {
    await proxy.close()
    for (const server of servers()) server.child.kill('SIGKILL')
    await Promise.all(servers().map((server) => server.exited))
    await store.cleanup()
    rmSync(dataDirB, { recursive: true, force: true })
  })

  test('writes through either process read back through the other', async () => {
    const ledger = emptyLedger()
    const until = Date.now() + writeMs
    await runWriters({
      client: { baseUrl: () => proxy.url, secretKey: keys.secretKey },
      ledger,
      random: seededRandom(seed),
      tag: 'rr',
      writers: 3,
      stop: () => Date.now() > until,
    })
    contactsSent.push(...ledger.contacts)
    assert.ok((proxy.counts[0] ?? 0) > 5 && (proxy.counts[1] ?? 0) > 5, 'both processes served')
    assert.ok(ledger.acknowledged > 10)
    assert.deepEqual(ledger.serverErrors, [])
    assert.deepEqual(
      await verifyLedger(
        direct(() => first),
        ledger,
      ),
      [],
      'read through the first',
    )
    assert.deepEqual(
      await verifyLedger(
        direct(() => second),
        ledger,
      ),
      [],
      'read through the second',
    )
  })

  test('an erasure through one process is refused by the other at once', async () => {
    const email = 'erase-me@example.com'
    const created = await call(
      direct(() => first),
      'POST',
      '/v1/contacts',
      {
        email,
        externalId: 'erase-me',
        name: 'Erase Me',
      },
    )
    assert.equal(created?.status, 201)
    const id = (created.body as { id: string }).id
    // The second process reads the person first: their key is now in its cache.
    const warm = await call(
      direct(() => second),
      'GET',
      `/v1/contacts/${id}`,
    )
    assert.equal(warm?.status, 200)
    const filed = await call(
      direct(() => first),
      'POST',
      '/v1/rights/requests',
      {
        type: 'erasure',
        subject: { email },
      },
    )
    assert.equal(filed?.status, 201, JSON.stringify(filed?.body))
    const requestId = (filed.body as { id: string }).id
    const verified = await call(
      direct(() => first),
      'POST',
      `/v1/rights/requests/${requestId}/verify`,
      {
        reason: 'Identity checked by the support team',
      },
    )
    assert.equal(verified?.status, 200, JSON.stringify(verified?.body))
    const fulfilled = await call(
      direct(() => first),
      'POST',
      `/v1/rights/requests/${requestId}/fulfil`,
      {},
    )
    assert.equal(fulfilled?.status, 200, JSON.stringify(fulfilled?.body))
    // At once, with no wait: the second process no longer shows or changes the person.
    const read = await call(
      direct(() => second),
      'GET',
      `/v1/contacts/${id}`,
    )
    assert.equal(read?.status, 404)
    const byEmail = await call(
      direct(() => second),
      'GET',
      `/v1/contacts?email=${encodeURIComponent(email)}`,
    )
    assert.deepEqual((byEmail?.body as { data: unknown[] }).data, [])
    const change = await call(
      direct(() => second),
      'PATCH',
      `/v1/contacts/${id}`,
      { name: 'Back' },
    )
    assert.equal(change?.status, 404)
  })

  test('one process killed mid-request loses nothing either acknowledged', async () => {
    const ledger = emptyLedger()
    let stopped = false
    const writing = runWriters({
      client: { baseUrl: () => proxy.url, secretKey: keys.secretKey },
      ledger,
      random: seededRandom(seed + 7),
      tag: 'kill',
      writers: 4,
      stop: () => stopped,
      pauseAfterLossMs: 1,
    })
    await new Promise((resolve) => setTimeout(resolve, writeMs / 2))
    first.child.kill('SIGKILL')
    await first.exited
    await new Promise((resolve) => setTimeout(resolve, writeMs / 2))
    stopped = true
    await writing
    contactsSent.push(...ledger.contacts)
    // Restarted at once, so that the tests after this one have both processes.
    first = await start(store.dataDir)
    const everything = { ...ledger, contacts: contactsSent }
    assert.ok(ledger.unanswered > 0, 'the kill cut requests off')
    assert.deepEqual(ledger.serverErrors, [])
    assert.deepEqual(
      await verifyLedger(
        direct(() => second),
        everything,
      ),
      [],
    )
    assert.deepEqual(
      await verifyLedger(
        direct(() => first),
        everything,
      ),
      [],
    )
    reportFigure('two-processes', {
      seed,
      acknowledgedWrites: ledger.acknowledged,
      unansweredWrites: ledger.unanswered,
      acknowledgedWritesLost: 0,
      serverErrors: ledger.serverErrors.length,
    })
  })

  test('a scheduled job runs in one process only', async () => {
    // A request due within a day: the rights-reminders job mails the DPO about it.
    const settings = await call(
      direct(() => first),
      'PATCH',
      '/v1/workspace',
      { settings: { slaDays: 1 } },
    )
    assert.equal(settings?.status, 200, JSON.stringify(settings?.body))
    const filed = await call(
      direct(() => first),
      'POST',
      '/v1/rights/requests',
      {
        type: 'access',
        subject: { email: 'due-soon@example.com' },
      },
    )
    assert.equal(filed?.status, 201)
    for (const server of servers()) server.child.kill('SIGTERM')
    await Promise.all(servers().map((server) => server.exited))
    // Every job due now, then both processes start together and race for the leases.
    await admin(`update ${store.schema ?? 'public'}.job_leases
      set next_run_at = '2000-01-01T00:00:00.000Z', holder = null, lease_until = null`)
    const startedAt = new Date().toISOString()
    ;[first, second] = await Promise.all([start(store.dataDir), start(dataDirB)])
    await waitFor(async () => {
      const rows = await admin(`select last_finished_at from ${store.schema ?? 'public'}.job_leases
        where name = 'rights-reminders'`)
      const finished = rows[0]?.last_finished_at
      return typeof finished === 'string' && finished >= startedAt
    })
    const mails = [store.dataDir, dataDirB].map((dir) => dpoMailsIn(join(dir, 'outbox'), dpoEmail))
    assert.equal((mails[0] ?? 0) + (mails[1] ?? 0), 1, `DPO reminders: ${mails.join(' + ')}`)
  })

  test('the audit log of both processes is one chain that verifies', () => {
    const verified = verifyAuditByCli(store)
    assert.ok(verified.ok, verified.output)
  })
})

function dpoMailsIn(outbox: string, address: string): number {
  let files: string[]
  try {
    files = readdirSync(outbox)
  } catch {
    return 0
  }
  return files.filter((file) => {
    const text = readFileSync(join(outbox, file), 'utf8')
    return new RegExp(`^To: .*${address}`, 'm').test(text)
  }).length
}

async function admin(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    return (await client.query<Record<string, unknown>>(statement)).rows
  } finally {
    await client.end()
  }
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the job did not run within 30 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
