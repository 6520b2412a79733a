/**
 * Ingest throughput through the real server, with same-run baselines:
 *
 * - full path: `custodian serve` (built, SQLite with synchronous=FULL) driven over
 *   loopback by autocannon with BENCH_INGEST_REQUESTS (default 2000) requests of 50
 *   events each from BENCH_INGEST_CONNECTIONS (default 20) connections, with the public
 *   key as the browser sends them: authentication, per-event validation, the consent
 *   question for analytics, user-agent parsing, geo-IP, one sealed envelope per event,
 *   group commit. Prints events/s and latency (p50, p99). Goal: ≥ 25 % of the bare
 *   insert rate below. With BENCH_INGEST_IDENTIFIED=N (default 0), the first N of the
 *   100 visitors are identified first (a contact each), so every batch of theirs also
 *   moves their contact's last activity in the commit;
 * - hello: a bare Fastify route answering "hello" in its own process, driven the same
 *   way: the HTTP framework's ceiling on this machine;
 * - bare insert: the very rows the full path stored, read back from its database and
 *   inserted into a fresh one through the same repository function, 1,000 per
 *   transaction (no HTTP, no consent, no sealing, no group commit).
 *
 * Only 127.0.0.1 is targeted, and every run is bounded in requests and time.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { openSqlite } from '../src/storage/sqlite.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { inWriteTransaction } from '../src/storage/write-transaction.js'
import { insertEvents } from '../src/tracking/tracking.repository.js'
import { binPath, runCli, startServeProcess } from '../test/cli-process.js'
import { printFigure, ratio, timeIt } from './report.js'

const requests = Number(process.env.BENCH_INGEST_REQUESTS ?? 2000)
const connections = Number(process.env.BENCH_INGEST_CONNECTIONS ?? 20)
const eventsPerRequest = 50
const visitors = 100
const identified = Math.min(visitors, Number(process.env.BENCH_INGEST_IDENTIFIED ?? 0))
const goalShare = 0.25
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

if (!existsSync(binPath.replace('bin/custodian.js', 'dist/main.js'))) {
  console.error('Build first: npm run build (the bench runs the built server)')
  process.exit(1)
}

interface Run {
  requestsPerSecond: number
  p50: number
  p99: number
  ok: number
  errors: number
}

async function drive(options: autocannon.Options): Promise<Run> {
  const result = await autocannon({
    connections,
    amount: requests,
    // A bound in time as well as in count: the run stops by itself whatever happens.
    timeout: 30,
    ...options,
  })
  return {
    // Over the whole run: a short run has too few one-second samples for their average.
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors + result.non2xx + result.timeouts,
  }
}

function batchBody(requestIndex: number): string {
  const batch = Array.from({ length: eventsPerRequest }, (_, index) => ({
    type: index % 5 === 0 ? 'page' : 'track',
    // One visitor per request, as the SDK sends them: a browser batches its own events.
    anonymousId: `bench-visitor-${requestIndex % visitors}`,
    url: `https://shop.example/products/${index}?ref=bench`,
    referrer: 'https://search.example/?q=shoes',
    title: 'Products',
    name: index % 5 === 0 ? undefined : 'Viewed product',
    properties: { sku: `SKU-${index}`, price: 19.9, currency: 'EUR' },
    screen: { width: 1920, height: 1080 },
  }))
  return JSON.stringify({ batch })
}

async function grantAnalytics(url: string, publicKey: string): Promise<void> {
  for (let visitor = 0; visitor < visitors; visitor += 1) {
    const response = await fetch(`${url}/v1/consents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publicKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        anonymousId: `bench-visitor-${visitor}`,
        purpose: 'analytics',
        granted: true,
      }),
    })
    if (response.status !== 201) throw new Error(`consent failed: ${response.status}`)
  }
}

/** The customer's server names the first `identified` visitors: each becomes a contact. */
async function identifyVisitors(url: string, secretKey: string): Promise<void> {
  for (let visitor = 0; visitor < identified; visitor += 1) {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [
          {
            type: 'identify',
            anonymousId: `bench-visitor-${visitor}`,
            externalId: `bench-user-${visitor}`,
          },
        ],
      }),
    })
    const result = (await response.json()) as { accepted?: number }
    if (result.accepted !== 1) throw new Error(`identify failed: ${response.status}`)
  }
}

async function fullPath(dataDir: string): Promise<Run & { eventsPerSecond: number }> {
  const created = runCli(['workspace', 'create', '--name', 'Bench', '--data', dataDir, '--json'])
  if (created.status !== 0) throw new Error(created.stderr)
  const { publicKey, secretKey } = JSON.parse(created.stdout) as {
    publicKey: string
    secretKey: string
  }
  // Default logging, as deployed: one line per request.
  // One load generator on one address: the bench measures ingest, not the limiter.
  const server = await startServeProcess(['--data', dataDir, '--host', '127.0.0.1'], {
    CUSTODIAN_PUBLIC_KEY_RATE: '1000000',
    CUSTODIAN_PUBLIC_KEY_BURST: '10000000',
  })
  try {
    await grantAnalytics(server.url, publicKey)
    await identifyVisitors(server.url, secretKey)
    const bodies = Array.from({ length: visitors }, (_, index) => batchBody(index))
    let sent = 0
    const run = await drive({
      url: `${server.url}/v1/events`,
      method: 'POST',
      headers: {
        authorization: `Bearer ${publicKey}`,
        'content-type': 'application/json',
        'user-agent': userAgent,
      },
      requests: [
        {
          setupRequest: (request) => ({ ...request, body: bodies[(sent += 1) % visitors] ?? '' }),
        },
      ],
    })
    return { ...run, eventsPerSecond: run.requestsPerSecond * eventsPerRequest }
  } finally {
    server.child.kill('SIGTERM')
    await server.exited
  }
}

async function helloBaseline(): Promise<Run> {
  const code = `
    import Fastify from 'fastify'
    const app = Fastify({ logger: false })
    app.get('/hello', async () => 'hello')
    await app.listen({ port: 0, host: '127.0.0.1' })
    console.log(JSON.stringify({ port: app.server.address().port }))
  `
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const [chunk] = (await once(child.stdout ?? child, 'data')) as [Buffer]
    const { port } = JSON.parse(chunk.toString()) as { port: number }
    // Ten times the requests: a hello answers that much faster, and the rate needs a
    // run long enough to be steady.
    return await drive({ url: `http://127.0.0.1:${port}/hello`, amount: requests * 10 })
  } finally {
    child.kill('SIGTERM')
  }
}

/** The rows the full path stored, inserted again into a fresh store with nothing else. */
async function bareInsert(dataDir: string): Promise<{ rows: number; rowsPerSecond: number }> {
  const source = openSqlite(dataDir)
  const rows = await source.db.selectFrom('tracking_events').selectAll().execute()
  const workspaces = await source.db.selectFrom('workspaces').selectAll().execute()
  await source.close()
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-insert-'))
  const target = openSqlite(dir)
  try {
    await migrateToLatest(target)
    await target.db.insertInto('workspaces').values(workspaces).execute()
    const elapsedMs = await timeIt(async () => {
      for (let start = 0; start < rows.length; start += 1000) {
        const chunk = rows.slice(start, start + 1000)
        await inWriteTransaction(target.db, (trx) => insertEvents(trx, chunk))
      }
    })
    return { rows: rows.length, rowsPerSecond: (rows.length / elapsedMs) * 1000 }
  } finally {
    await target.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'custodian-bench-ingest-'))
try {
  console.log(
    `${requests} requests × ${eventsPerRequest} events, ${connections} connections, SQLite (synchronous=FULL)` +
      (identified > 0 ? `, ${identified} of ${visitors} visitors identified` : ''),
  )
  const full = await fullPath(dataDir)
  const hello = await helloBaseline()
  const bare = await bareInsert(dataDir)
  printFigure('hello route (bare Fastify)', hello.requestsPerSecond, 'req/s')
  printFigure(
    'ingest requests',
    full.requestsPerSecond,
    'req/s',
    ratio(full.requestsPerSecond, hello.requestsPerSecond),
  )
  printFigure('ingest latency p50', full.p50, 'ms')
  printFigure('ingest latency p99', full.p99, 'ms')
  printFigure(`bare insert of the same ${bare.rows} rows`, bare.rowsPerSecond, 'rows/s')
  const share = full.eventsPerSecond / bare.rowsPerSecond
  printFigure(
    'ingest events (full path)',
    full.eventsPerSecond,
    'events/s',
    `${(share * 100).toFixed(1)} % of bare insert; goal ≥ ${goalShare * 100} %: ${share >= goalShare ? 'met' : 'NOT met'}`,
  )
  if (full.errors > 0 || hello.errors > 0) {
    console.error(`errors: ingest ${full.errors}, hello ${hello.errors}`)
    process.exitCode = 1
  }
  // The identify events are stored too.
  if (bare.rows !== full.ok * eventsPerRequest + identified) {
    console.error(`stored ${bare.rows} rows for ${full.ok} accepted requests`)
    process.exitCode = 1
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
