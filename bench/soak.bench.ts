/**
 * Soak: the real `custodian serve` (SQLite in a temporary directory, or PostgreSQL when
 * BENCH_SOAK_DATABASE_URL is set) takes ingest, contact reads, consent decisions and
 * rights requests together, over loopback, from BENCH_SOAK_CONNECTIONS (default 16)
 * concurrent clients for BENCH_SOAK_SECONDS (default 120) after BENCH_SOAK_WARMUP_SECONDS
 * (default 60) of the same load: a minute fills the bounded caches (SQLite's 64 MiB page
 * cache, 10,000 subject keys), so what grows after it is what a leak would grow. It
 * prints throughput, p50 and p99 latency and errors per kind of request, and the
 * server's resident memory (anonymous and file-backed) at start, after warm-up and at
 * the end. Goal (issue 23): no growth beyond 20 % after warm-up, read on anonymous
 * memory; the file-backed part is the SQLite file, memory-mapped, growing with the data.
 *
 *   npm run bench -- soak
 *   BENCH_SOAK_SECONDS=600 npm run bench -- soak
 *   BENCH_SOAK_DATABASE_URL='postgres://…/db?options=-c%20search_path%3Dsoak' npm run bench -- soak
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startServeProcess } from '../test/cli-process.js'
import { printFigure } from './report.js'

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 120)
const warmupSeconds = Number(process.env.BENCH_SOAK_WARMUP_SECONDS ?? 60)
const connections = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 16)
const databaseUrl = process.env.BENCH_SOAK_DATABASE_URL
const contactsMade = 500
const visitors = 500
const eventsPerBatch = 20
const growthGoal = 0.2

type Kind = 'ingest' | 'contact read' | 'consent decision' | 'rights request'
// One request in ten files a rights request; the rest split between the hot paths.
const mix: Kind[] = [
  'ingest',
  'ingest',
  'ingest',
  'contact read',
  'contact read',
  'contact read',
  'consent decision',
  'consent decision',
  'consent decision',
  'rights request',
]

interface Tally {
  latencies: number[]
  errors: number
}

interface Resident {
  total: number
  /** Heap, stacks, malloc: what a leak grows. */
  anonymous: number
  /** File-backed: chiefly the SQLite file, memory-mapped (mmap_size 1 GiB), as it grows. */
  file: number
}

function residentOf(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const read = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
  return { total: read('VmRSS'), anonymous: read('RssAnon'), file: read('RssFile') }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-soak-'))
  const env = {
    CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: databaseUrl ?? '',
    // One load generator on one address: the bench measures the server, not the limiter.
    CUSTODIAN_PUBLIC_KEY_RATE: '1000000',
    CUSTODIAN_PUBLIC_KEY_BURST: '10000000',
  }
  try {
    const created = runCli(
      ['workspace', 'create', '--name', 'Soak', '--data', dataDir, '--json'],
      env,
    )
    if (created.status !== 0) throw new Error(created.stderr)
    const keys = JSON.parse(created.stdout) as { publicKey: string; secretKey: string }
    const server = await startServeProcess(['--data', dataDir, '--host', '127.0.0.1'], env)
    const pid = server.child.pid ?? 0
    try {
      await soak(server.url, keys, pid)
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function soak(url: string, keys: { publicKey: string; secretKey: string }, pid: number) {
  const startRss = residentOf(pid)
  const send = async (key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, text }
  }
  // The people the load reads and writes: contacts, and visitors who consented.
  const contactIds: string[] = []
  for (let index = 0; index < contactsMade; index += 1) {
    const made = await send(keys.secretKey, 'POST', '/v1/contacts', {
      email: `soak-${index}@example.com`,
      externalId: `soak-${index}`,
      name: `Soak Person ${index}`,
      attributes: { plan: 'pro', seats: index },
    })
    contactIds.push((JSON.parse(made.text) as { id: string }).id)
  }
  for (let index = 0; index < visitors; index += 1) {
    await send(keys.publicKey, 'POST', '/v1/consents', {
      anonymousId: `soak-visitor-${index}`,
      purpose: 'analytics',
      granted: true,
    })
  }
  let counter = 0
  const operation = async (kind: Kind): Promise<number> => {
    counter += 1
    const visitor = `soak-visitor-${counter % visitors}`
    switch (kind) {
      case 'ingest':
        return (
          await send(keys.publicKey, 'POST', '/v1/events', {
            batch: Array.from({ length: eventsPerBatch }, (_, index) => ({
              type: 'page',
              anonymousId: visitor,
              url: `https://shop.example/soak/${counter}/${index}`,
              title: 'Soak page',
            })),
          })
        ).status
      case 'contact read':
        return (
          await send(keys.secretKey, 'GET', `/v1/contacts/${contactIds[counter % contactsMade]}`)
        ).status
      case 'consent decision':
        return (
          await send(
            keys.secretKey,
            'GET',
            `/v1/consents/decision?anonymousId=${visitor}&purpose=analytics`,
          )
        ).status
      case 'rights request':
        return (
          await send(keys.secretKey, 'POST', '/v1/rights/requests', {
            type: 'access',
            subject: { email: `soak-${counter % contactsMade}@example.com` },
          })
        ).status
    }
  }
  const run = async (durationMs: number, tallies: Map<Kind, Tally> | undefined) => {
    const until = Date.now() + durationMs
    let next = 0
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < until) {
          const kind = mix[(next += 1) % mix.length] ?? 'ingest'
          const started = process.hrtime.bigint()
          let status = 0
          try {
            status = await operation(kind)
          } catch {
            status = 0
          }
          const tally = tallies?.get(kind)
          if (tally === undefined) continue
          tally.latencies.push(Number(process.hrtime.bigint() - started) / 1e6)
          if (status === 0 || status >= 400) tally.errors += 1
        }
      }),
    )
  }
  await run(warmupSeconds * 1000, undefined)
  const warmRss = residentOf(pid)
  const tallies = new Map<Kind, Tally>(mix.map((kind) => [kind, { latencies: [], errors: 0 }]))
  const samples: Resident[] = []
  const sampler = setInterval(() => samples.push(residentOf(pid)), 1000)
  await run(seconds * 1000, tallies)
  clearInterval(sampler)
  const endRss = residentOf(pid)
  console.log(
    `${connections} connections, ${seconds} s after ${warmupSeconds} s of warm-up, ${databaseUrl === undefined ? 'SQLite' : 'PostgreSQL'}`,
  )
  let total = 0
  let errors = 0
  for (const [kind, tally] of tallies) {
    const sorted = [...tally.latencies].sort((a, b) => a - b)
    total += sorted.length
    errors += tally.errors
    printFigure(`${kind}: throughput`, sorted.length / seconds, 'req/s')
    printFigure(
      `${kind}: p50 / p99 latency`,
      quantile(sorted, 0.5),
      'ms',
      `p99 ${quantile(sorted, 0.99).toFixed(1)} ms`,
    )
    printFigure(`${kind}: errors`, tally.errors, 'requests')
  }
  printFigure('all: throughput', total / seconds, 'req/s', `${total} requests, ${errors} errors`)
  printFigure(
    'ingest: events per second',
    ((tallies.get('ingest')?.latencies.length ?? 0) * eventsPerBatch) / seconds,
    'events/s',
  )
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0)
  const tens = samples.filter((_, index) => index % 10 === 9)
  console.log(`server RSS every 10 s (MiB): ${tens.map((item) => mib(item.total)).join(' ')}`)
  console.log(`  of which anonymous (MiB): ${tens.map((item) => mib(item.anonymous)).join(' ')}`)
  for (const [label, resident] of [
    ['at start', startRss],
    ['after warm-up', warmRss],
    ['at the end', endRss],
  ] as const) {
    printFigure(
      `server RSS ${label}`,
      resident.total / 2 ** 20,
      'MiB',
      `anonymous ${mib(resident.anonymous)} MiB, file-backed ${mib(resident.file)} MiB`,
    )
  }
  // The goal is read on anonymous memory, what a leak grows; the file-backed part is
  // the database's own pages, mapped, which the kernel may drop at any time.
  const growth = (endRss.anonymous - warmRss.anonymous) / warmRss.anonymous
  const totalGrowth = (endRss.total - warmRss.total) / warmRss.total
  printFigure(
    'anonymous RSS growth after warm-up',
    growth * 100,
    '%',
    `goal ≤ ${growthGoal * 100} %: ${growth <= growthGoal ? 'met' : 'MISSED'}; total RSS ${(totalGrowth * 100).toFixed(1)} %`,
  )
  if (errors > 0) process.exitCode = 1
}

await main()
