/**
 * One person's access export and erasure, in a small store and a large one, against the
 * issue's goals (under 250 ms at 1M events, and no more than 2× the small store's figure:
 * the cost follows the person's own data, not the store's size):
 *
 * - each store holds BENCH_RIGHTS_SMALL (default 10k) or BENCH_RIGHTS_LARGE (default 1M)
 *   tracking events of other people (sealed, bulk-inserted, 100 per person) besides five
 *   people made through the API as a customer would: a contact, two consents, a page
 *   view, an identify and 20 named events each;
 * - access export: the registry's export walk for one person (resolve, open every
 *   source's rows, one audit entry) and the ZIP streamed into a sink that counts bytes,
 *   as `GET /v1/rights/exports/{token}` serves it; five runs, median;
 * - erasure: the registry's erasure walk (plan, shred, one transaction of deletes, audit),
 *   one per person, median of five;
 * - the small store's figures are the same-run baseline for the large one's.
 */
import { Writable } from 'node:stream'
import { type buildApp } from '../src/app.js'
import { newId } from '../src/ids.js'
import { createLogger } from '../src/logger.js'
import { type createModules } from '../src/modules.js'
import { buildAccessManifest } from '../src/rights/manifest.logic.js'
import { writeAccessArchive, type ArchiveRecord } from '../src/rights/archive.js'
import { refreshStatistics } from '../src/storage/statistics.js'
import { inWriteTransaction } from '../src/storage/write-transaction.js'
import {
  collectingWriter,
  eraseSubject,
  exportSubject,
  resolveSubject,
} from '../src/subjects/index.js'
import { eventCell, type TrackingEventsTable } from '../src/tracking/tracking.table.js'
import { withInProcess } from './in-process.js'
import { printFigure, ratio, timeIt } from './report.js'

const small = Number(process.env.BENCH_RIGHTS_SMALL ?? 10_000)
const large = Number(process.env.BENCH_RIGHTS_LARGE ?? 1_000_000)
const people = 5
const eventsPerOther = 100
const logger = createLogger({ level: 'silent' })
const actor = { actorType: 'system' as const, actorId: null }

interface Figures {
  exportMs: number
  eraseMs: number
  exportBytes: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function measure(events: number): Promise<Figures> {
  return withInProcess('rights', logger, async ({ storage, modules, app, workspace }) => {
    await fillWithOthers(modules, workspace.id, events)
    // What serve's hourly `storage-statistics` job does: the planner knows the store.
    await refreshStatistics(storage.db)
    const emails: string[] = []
    for (let index = 0; index < people; index += 1) {
      emails.push(await makePerson(app, workspace, index))
    }

    if (process.env.BENCH_RIGHTS_PROFILE === '1')
      await profile(modules, workspace.id, emails[1] ?? '')
    const exportTimes: number[] = []
    let exportBytes = 0
    const target = emails[0] ?? ''
    for (let run = 0; run < 5; run += 1) {
      exportTimes.push(
        await timeIt(async () => {
          exportBytes = await exportArchive(modules, workspace.id, target)
        }),
      )
    }
    const eraseTimes: number[] = []
    for (const email of emails) {
      eraseTimes.push(
        await timeIt(() =>
          eraseSubject(modules.subjects, {
            workspaceId: workspace.id,
            names: [{ email }],
            actor,
          }),
        ),
      )
    }
    return { exportMs: median(exportTimes), eraseMs: median(eraseTimes), exportBytes }
  })
}

/** Events of other people, sealed under their own keys as ingest seals them. */
async function fillWithOthers(
  modules: ReturnType<typeof createModules>,
  workspaceId: string,
  events: number,
): Promise<void> {
  const { keyring, db } = modules.tracking
  const indexer = await keyring.indexerFor(workspaceId)
  const others = Math.ceil(events / eventsPerOther)
  const batch = 50
  for (let first = 0; first < others; first += batch) {
    const subjects = Array.from({ length: Math.min(batch, others - first) }, () => newId())
    const sealers = await keyring.sealersFor(workspaceId, subjects)
    const rows: TrackingEventsTable[] = []
    for (const [k, subjectId] of subjects.entries()) {
      const sealer = sealers.get(subjectId)
      if (sealer === undefined) throw new Error('no sealer')
      const anonymous = indexer.index('anonymous_id', `other-${first + k}`)
      for (let n = 0; n < eventsPerOther && rows.length + first * eventsPerOther < events; n += 1) {
        const id = newId()
        const at = new Date(Date.now() - n * 60_000).toISOString()
        rows.push({
          workspace_id: workspaceId,
          id,
          type: 'page',
          subject_id: subjectId,
          anonymous_index: anonymous,
          external_index: null,
          occurred_at: at,
          received_at: at,
          browser: 'Firefox',
          browser_version: '128',
          os: 'Linux',
          device: 'desktop',
          country: 'DE',
          sealed: sealer.sealJson(eventCell(id), {
            url: `https://shop.example/product/${n}`,
            title: 'A product',
            ip: '203.0.113.9',
          }),
        })
      }
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

async function makePerson(
  app: Awaited<ReturnType<typeof buildApp>>,
  workspace: { secretKey: string; publicKey: string },
  index: number,
): Promise<string> {
  const email = `person-${index}@example.com`
  const externalId = `person-${index}`
  const anonymousId = `anon-person-${index}`
  const post = async (url: string, key: string, payload: object) => {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${key}` },
      payload,
    })
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.body}`)
  }
  await post('/v1/consents', workspace.publicKey, {
    anonymousId,
    purpose: 'analytics',
    granted: true,
  })
  await post('/v1/events', workspace.publicKey, {
    batch: [{ type: 'page', anonymousId, url: `https://shop.example/${externalId}` }],
  })
  await post('/v1/events', workspace.secretKey, {
    batch: [
      { type: 'identify', anonymousId, externalId, traits: { email, name: `Person ${index}` } },
      ...Array.from({ length: 20 }, (_, n) => ({
        type: 'track',
        anonymousId,
        name: `Viewed ${n}`,
        properties: { n },
      })),
    ],
  })
  await post('/v1/consents', workspace.secretKey, {
    externalId,
    purpose: 'marketing',
    granted: true,
  })
  return email
}

/** Where one export's time goes, per source: with BENCH_RIGHTS_PROFILE=1. */
async function profile(
  modules: ReturnType<typeof createModules>,
  workspaceId: string,
  email: string,
): Promise<void> {
  let resolved: Awaited<ReturnType<typeof resolveSubject>> | undefined
  const resolveMs = await timeIt(async () => {
    resolved = await resolveSubject(modules.subjects, workspaceId, [{ email }])
  })
  printFigure('  resolve', resolveMs, 'ms')
  if (resolved === undefined) return
  for (const source of modules.personalData.sources) {
    const subject = resolved.subject
    printFigure(`  locate ${source.module}`, await timeIt(() => source.locate(subject)), 'ms')
    const writer = collectingWriter()
    printFigure(
      `  export ${source.module}`,
      await timeIt(() => source.exportTo(subject, writer)),
      'ms',
    )
  }
}

async function exportArchive(
  modules: ReturnType<typeof createModules>,
  workspaceId: string,
  email: string,
): Promise<number> {
  const writer = collectingWriter()
  await exportSubject(modules.subjects, { workspaceId, names: [{ email }], actor }, writer)
  const records: ArchiveRecord[] = []
  for (const [source, collections] of Object.entries(writer.collected)) {
    for (const [collection, items] of Object.entries(collections)) {
      for (const record of items) records.push({ source, collection, record })
    }
  }
  const manifest = buildAccessManifest({
    workspaceName: 'Bench',
    request: { id: newId(), type: 'access', receivedAt: new Date().toISOString() },
    generatedAt: new Date(),
    sources: modules.personalData.sources,
    purposes: [],
  })
  let bytes = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      done()
    },
  })
  await writeAccessArchive(sink, { manifest, records }, { kind: 'access' })
  return bytes
}

const smallFigures = await measure(small)
const largeFigures = await measure(large)
const label = (events: number) => `${events.toLocaleString('en-US')} events`
printFigure(`access export, one person (${label(small)})`, smallFigures.exportMs, 'ms')
printFigure(
  `access export, one person (${label(large)})`,
  largeFigures.exportMs,
  'ms',
  `${ratio(largeFigures.exportMs, smallFigures.exportMs)}; goal < 250 ms and <= 2x; ZIP ${largeFigures.exportBytes} bytes`,
)
printFigure(`erasure, one person (${label(small)})`, smallFigures.eraseMs, 'ms')
printFigure(
  `erasure, one person (${label(large)})`,
  largeFigures.eraseMs,
  'ms',
  `${ratio(largeFigures.eraseMs, smallFigures.eraseMs)}; goal < 250 ms and <= 2x`,
)
