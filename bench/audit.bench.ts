/**
 * Audit log throughput, each figure against its goal and a baseline from the same run:
 *
 * - append: BENCH_AUDIT_ENTRIES (default 100k) events recorded by BENCH_AUDIT_CALLERS
 *   (default 500) concurrent callers, each awaiting its own `record()` as a request
 *   handler would; every event has a sealed IP, a blind-indexed subject and details.
 *   Goal ≥ 20k entries/s on SQLite (synchronous=FULL). Baseline: the same number of
 *   rows of the same shape (same sizes, same indexes and triggers) inserted through the
 *   same repository function, 500 per transaction (the size of a group commit under 500
 *   callers), with no chain, no sealing, no hashing and no queue;
 * - verify: the whole chain just written, walked and re-hashed. Goal ≥ 200k entries/s.
 *   Baseline: the same pages read through the same query (rows as arrays on SQLite),
 *   with nothing checked.
 *
 * Runs on PostgreSQL too when TEST_DATABASE_URL (or the local `test` database) answers.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { AuditEvent } from '../src/audit/audit.logic.js'
import { insertEntries, selectChainRows } from '../src/audit/audit.repository.js'
import { createAuditLog } from '../src/audit/audit.service.js'
import type { ChainedEntry } from '../src/audit/chain.logic.js'
import { systemClock } from '../src/clock.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { inWriteTransaction } from '../src/storage/write-transaction.js'
import { createLogger } from '../src/logger.js'
import type { Storage } from '../src/storage/database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openPostgres } from '../src/storage/postgres.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { newId } from '../src/ids.js'
import { printFigure, ratio, timeIt } from './report.js'

const entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 100_000)
const callers = Number(process.env.BENCH_AUDIT_CALLERS ?? 500)
const appendGoal = 20_000
const verifyGoal = 200_000
const workspaces = ['ws-bench-1', 'ws-bench-2', 'ws-bench-3', 'ws-bench-4']
const logger = createLogger({ level: 'silent' })

function eventOf(index: number): AuditEvent {
  return {
    workspaceId: workspaces[index % workspaces.length] ?? null,
    actor: { actorType: 'operator', actorId: `op-${index % 40}` },
    action: index % 5 === 0 ? 'contact.updated' : 'contact.read',
    resource: { type: 'contact', id: `contact-${index % 10_000}` },
    subjectId: `contact-${index % 10_000}`,
    purpose: 'support',
    outcome: 'allowed',
    requestId: `req-${index}`,
    ip: `198.51.100.${index % 250}`,
    details: { fields: ['email', 'name'] },
  }
}

async function measureAppendAndVerify(storage: Storage, label: string): Promise<number> {
  const keyring = await openKeyring({
    storage,
    config: { dataDir: '/nonexistent', masterKey: randomBytes(32).toString('base64') },
    logger,
    clock: systemClock,
  })
  const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock, logger })
  // Each actor's and workspace's keys are made once, as on a server that has been running.
  await Promise.all(Array.from({ length: 200 }, (_, index) => audit.record(eventOf(index))))

  let next = 200
  const perCaller = Math.ceil(entries / callers)
  const appendMs = await timeIt(() =>
    Promise.all(
      Array.from({ length: callers }, async () => {
        for (let done = 0; done < perCaller; done += 1) await audit.record(eventOf(next++))
      }),
    ),
  )
  const appended = next - 200
  const appendRate = appended / (appendMs / 1000)
  printFigure(
    `${label}: append, ${callers} concurrent callers`,
    appendRate,
    'entries/s',
    `${(appendRate / appendGoal).toFixed(2)}x the goal of ${appendGoal.toLocaleString('en-US')}/s`,
  )

  const total = await readAllPages(storage) // warms the cache for both measurements
  const readMs = await timeIt(() => readAllPages(storage))
  const readRate = total / (readMs / 1000)
  printFigure(`${label}: baseline, reading the same pages unchecked`, readRate, 'rows/s')
  let report = await audit.verify()
  const verifyMs = await timeIt(async () => {
    report = await audit.verify()
  })
  if (!report.ok) throw new Error(`the benchmark chain does not verify: ${JSON.stringify(report)}`)
  const verifyRate = report.entries / (verifyMs / 1000)
  printFigure(
    `${label}: verify ${report.entries.toLocaleString('en-US')} entries`,
    verifyRate,
    'entries/s',
    `${(verifyRate / verifyGoal).toFixed(2)}x the goal of ${verifyGoal.toLocaleString('en-US')}/s, ${ratio(verifyRate, readRate)}`,
  )
  await audit.close()
  await keyring.close()
  return appendRate
}

/** Every entry, page by page as verify reads them, without checking anything. */
async function readAllPages(storage: Storage): Promise<number> {
  let after = 0
  for (;;) {
    const page = await selectChainRows(storage.db, after, Number.MAX_SAFE_INTEGER, 2000)
    const last = page[page.length - 1]
    if (last === undefined) return after
    after = last[0]
  }
}

/** Rows shaped like real entries (same lengths), with random bytes where crypto would be. */
function bareRows(count: number): ChainedEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    seq: index + 1,
    id: newId(),
    at: new Date().toISOString(),
    workspace_id: workspaces[index % workspaces.length] ?? null,
    actor_type: 'operator',
    actor_id: `op-${index % 40}`,
    action: index % 5 === 0 ? 'contact.updated' : 'contact.read',
    resource_type: 'contact',
    resource_id: `contact-${index % 10_000}`,
    subject_ref: randomBytes(32).toString('hex'),
    purpose: 'support',
    outcome: 'allowed',
    request_id: `req-${index}`,
    // An IPv4 address sealed: 34 bytes of envelope overhead plus the text.
    ip_sealed: randomBytes(34 + 13),
    details: '{"fields":["email","name"]}',
    prev_hash: randomBytes(32),
    hash: randomBytes(32),
  }))
}

async function measureBaseline(storage: Storage, label: string): Promise<number> {
  const rows = bareRows(entries)
  const elapsed = await timeIt(async () => {
    for (let start = 0; start < rows.length; start += 500) {
      await inWriteTransaction(storage.db, (trx) =>
        insertEntries(trx, rows.slice(start, start + 500)),
      )
    }
  })
  const rate = rows.length / (elapsed / 1000)
  printFigure(`${label}: baseline, bare inserts of the same rows`, rate, 'rows/s')
  return rate
}

async function benchSqlite(): Promise<void> {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'audit-bench-')),
    mkdtempSync(join(tmpdir(), 'audit-base-')),
  ]
  try {
    const baselineStore = openSqlite(dirs[1] ?? '')
    await migrateToLatest(baselineStore)
    const baseline = await measureBaseline(baselineStore, 'SQLite')
    await baselineStore.close()
    const store = openSqlite(dirs[0] ?? '')
    await migrateToLatest(store)
    const appendRate = await measureAppendAndVerify(store, 'SQLite')
    printFigure(
      'SQLite: append against the bare-insert baseline',
      appendRate / baseline,
      '',
      ratio(appendRate, baseline),
    )
    await store.close()
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
}

async function benchPostgres(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const schemas = [`bench_audit_${process.pid}`, `bench_audit_base_${process.pid}`]
  try {
    for (const schema of schemas) await admin.query(`create schema ${schema}`)
    const baselineStore = openPostgres({ connectionString: url, schema: schemas[1] })
    await migrateToLatest(baselineStore)
    const baseline = await measureBaseline(baselineStore, 'PostgreSQL')
    await baselineStore.close()
    const store = openPostgres({ connectionString: url, schema: schemas[0] })
    await migrateToLatest(store)
    const appendRate = await measureAppendAndVerify(store, 'PostgreSQL')
    printFigure(
      'PostgreSQL: append against the bare-insert baseline',
      appendRate / baseline,
      '',
      ratio(appendRate, baseline),
    )
    await store.close()
  } finally {
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}

async function postgresUrl(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    return url
  } catch {
    return undefined
  } finally {
    await client.end().catch(() => {})
  }
}

await benchSqlite()
const url = await postgresUrl()
if (url === undefined) console.log('PostgreSQL: unreachable, skipped (set TEST_DATABASE_URL)')
else await benchPostgres(url)
