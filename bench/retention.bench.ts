/**
 * The retention purge on a store of BENCH_RETENTION_EVENTS (default 1M) tracking events,
 * half of them past the workspace's 395-day event period, with same-run baselines:
 *
 * - purge: `runRetention` (every source's rules; the events rule deletes the expired half
 *   through the (workspace_id, received_at, id) index, BENCH_RETENTION_BATCH rows per
 *   transaction, default 5000, one audit entry at the end), rows purged per second;
 * - bare DELETE: the same rows put back (same ids, times and sizes) and removed by one
 *   `DELETE FROM tracking_events WHERE workspace_id = ? AND received_at < ?`: the
 *   database's own ceiling, one transaction, no batches;
 * - ingest during and outside the purge: requests of 20 events each with the public key
 *   through the real app in process (authentication, consent, sealing, group commit),
 *   four at a time, BENCH_RETENTION_INGEST (default 1000) requests outside any purge,
 *   then as many as fit while the purge runs in the same process, as serve's daily job
 *   runs it; p50 and p99 of each.
 *
 * SQLite (the default store) in a temporary directory; nothing leaves this machine.
 */
import { sql } from 'kysely'
import { type buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { type Modules } from '../src/modules.js'
import { runRetention } from '../src/retention/index.js'
import { refreshStatistics } from '../src/storage/statistics.js'
import { inWriteTransaction } from '../src/storage/write-transaction.js'
import { eventCell, type TrackingEventsTable } from '../src/tracking/tracking.table.js'
import { withInProcess } from './in-process.js'
import { printFigure, ratio, timeIt } from './report.js'

const total = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000)
const batchSize = Number(process.env.BENCH_RETENTION_BATCH ?? 5000)
const ingestRequests = Number(process.env.BENCH_RETENTION_INGEST ?? 1000)
const expired = Math.floor(total / 2)
const day = 86_400_000
const logger = createLogger({ level: 'silent' })
const subjectsPerFill = 1000

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? Number.NaN
}

/**
 * `count` events of other people received `ageDays` ago, ids numbered from `prefix`:
 * called twice with the same arguments it makes the same rows. One envelope is sealed
 * per subject and reused for its events: the purge never opens one, only its size counts.
 */
async function fill(
  modules: Modules,
  workspaceId: string,
  count: number,
  ageDays: number,
  prefix: string,
): Promise<void> {
  const { keyring, db } = modules.tracking
  const subjects = Array.from({ length: subjectsPerFill }, (_, n) => `${prefix}-subject-${n}`)
  const sealers = await keyring.sealersFor(workspaceId, subjects)
  const sealed = subjects.map((subjectId) =>
    (sealers.get(subjectId) ?? failNoSealer()).sealJson(eventCell(`${prefix}-sample`), {
      url: 'https://shop.example/product/42',
      title: 'A product',
      ip: '203.0.113.9',
    }),
  )
  const base = Date.now() - ageDays * day
  for (let first = 0; first < count; first += 5000) {
    const rows: TrackingEventsTable[] = []
    for (let n = first; n < Math.min(count, first + 5000); n += 1) {
      const at = new Date(base - n * 1000).toISOString()
      rows.push({
        workspace_id: workspaceId,
        id: `${prefix}-${String(n).padStart(9, '0')}`,
        type: 'page',
        subject_id: subjects[n % subjectsPerFill] ?? '',
        anonymous_index: null,
        external_index: null,
        occurred_at: at,
        received_at: at,
        browser: 'Firefox',
        browser_version: '128',
        os: 'Linux',
        device: 'desktop',
        country: 'DE',
        sealed: sealed[n % subjectsPerFill] ?? Buffer.alloc(0),
      })
    }
    await inWriteTransaction(db, async (trx) => {
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('tracking_events')
          .values(rows.slice(start, start + 500))
          .execute()
      }
    })
  }
}

function failNoSealer(): never {
  throw new Error('no sealer')
}

/** Ingest requests, four in flight, until `count` are done or `until` says stop. */
async function ingestLoop(
  app: Awaited<ReturnType<typeof buildApp>>,
  publicKey: string,
  options: { count?: number; until?: () => boolean },
): Promise<number[]> {
  const latencies: number[] = []
  let sent = 0
  const more = () =>
    options.count !== undefined ? sent < options.count : !(options.until?.() ?? true)
  const worker = async () => {
    while (more()) {
      sent += 1
      const started = process.hrtime.bigint()
      const response = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${publicKey}` },
        payload: {
          batch: Array.from({ length: 20 }, (_, n) => ({
            type: 'page',
            anonymousId: 'bench-visitor',
            url: `https://shop.example/${n}`,
          })),
        },
      })
      if (response.statusCode !== 202) throw new Error(`ingest: ${response.body}`)
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return latencies
}

async function main(): Promise<void> {
  await withInProcess('retention', logger, async ({ storage, modules, app, workspace }) => {
    const consent = await app.inject({
      method: 'POST',
      url: '/v1/consents',
      headers: { authorization: `Bearer ${workspace.publicKey}` },
      payload: { anonymousId: 'bench-visitor', purpose: 'analytics', granted: true },
    })
    if (consent.statusCode !== 201) throw new Error(consent.body)

    const fillMs = await timeIt(async () => {
      await fill(modules, workspace.id, total - expired, 10, 'fresh')
      await fill(modules, workspace.id, expired, 500, 'old')
    })
    await refreshStatistics(storage.db)
    console.log(
      `store: ${total.toLocaleString('en-US')} events, ${expired.toLocaleString('en-US')} past 395 days (filled in ${(fillMs / 1000).toFixed(1)} s)`,
    )

    // Warm-up: the first requests compile the routes' validators and fill the key caches.
    await ingestLoop(app, workspace.publicKey, { count: 100 })
    const outside = await ingestLoop(app, workspace.publicKey, { count: ingestRequests })

    let purging = true
    let purged = 0
    const during: Promise<number[]> = ingestLoop(app, workspace.publicKey, {
      until: () => !purging,
    })
    const purgeMs = await timeIt(async () => {
      const outcomes = await runRetention(modules.retention, { batchSize })
      purged = outcomes
        .filter((outcome) => outcome.rule === 'tracking-events')
        .reduce((sum, outcome) => sum + outcome.rows, 0)
    })
    purging = false
    const duringLatencies = await during
    if (purged !== expired) throw new Error(`purged ${purged}, expected ${expired}`)

    await fill(modules, workspace.id, expired, 500, 'old')
    const cutoff = new Date(Date.now() - 395 * day).toISOString()
    let bare = 0
    const bareMs = await timeIt(async () => {
      const result =
        await sql`DELETE FROM tracking_events WHERE workspace_id = ${workspace.id} AND received_at < ${cutoff}`.execute(
          storage.db,
        )
      bare = Number(result.numAffectedRows ?? 0n)
    })
    if (bare !== expired) throw new Error(`bare DELETE removed ${bare}, expected ${expired}`)

    const purgeRate = purged / (purgeMs / 1000)
    const bareRate = bare / (bareMs / 1000)
    printFigure(
      `purge (runRetention, batches of ${batchSize})`,
      purgeRate,
      'rows/s',
      ratio(purgeRate, bareRate),
    )
    printFigure('bare DELETE of the same rows (one statement)', bareRate, 'rows/s')
    printFigure(
      'ingest p50 outside a purge',
      percentile(outside, 0.5),
      'ms',
      `${outside.length} requests`,
    )
    printFigure('ingest p99 outside a purge', percentile(outside, 0.99), 'ms')
    printFigure(
      'ingest p50 during the purge',
      percentile(duringLatencies, 0.5),
      'ms',
      `${duringLatencies.length} requests in ${(purgeMs / 1000).toFixed(1)} s`,
    )
    printFigure('ingest p99 during the purge', percentile(duringLatencies, 0.99), 'ms')
  })
}

await main()
