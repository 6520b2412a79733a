/**
 * The consent decision's throughput on SQLite, against the issue's goal (≥ 50k
 * decisions/s) and a baseline measured in the same run:
 *
 * - the store holds BENCH_CONSENT_SUBJECTS (default 100k) subjects, each known by an
 *   anonymous id (blind index), and BENCH_CONSENT_EVENTS (default 1M) ledger events with
 *   sealed IP and user agent, bulk-inserted in transactions of 500 subjects, with the
 *   materialised state each subject's events fold to (BENCH_CONSENT_CALLS, default 20k,
 *   sets how many single decisions are timed);
 * - `mayProcess` one call at a time (by anonymous id, and by subject id), then where 1
 *   answer in 10 refuses and each refusal is audited, one call at a time and with 64
 *   concurrent callers (the time includes writing the refusals' audit entries);
 *   `mayProcessMany` for batches of 500 subjects, as an ingest batch asks (by anonymous
 *   id with and without audited refusals, and by subject id);
 * - baselines: a bare primary-key select of one subject row, run as a single decision
 *   runs its statement (reusableQuery), and of 500 rows by `in (…)` through Kysely, as a
 *   batch decision runs its statement;
 * - history length: a subject with 10k more events decides as fast as one with 10,
 *   because the decision reads the state row and never the ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { createAuditLog } from '../src/audit/audit.service.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import type { ConsentDeps, ConsentWorkspace } from '../src/consent/consent.deps.js'
import { noFlags } from '../src/consent/consent.logic.js'
import type { ConsentEventsTable, ConsentStatesTable } from '../src/consent/consent.table.js'
import { applyEntry, type LedgerEntry, type Standing } from '../src/consent/ledger.logic.js'
import type { SubjectRef } from '../src/subjects/identifiers.logic.js'
import {
  decisionStatesOf,
  emptySubjectRow,
  eventRow,
  flagColumns,
  stateRow,
} from '../src/consent/ledger.rows.js'
import { mayProcess, mayProcessMany } from '../src/consent/may-process.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { testMasterKey } from '../src/crypto/testing/keyring.js'
import { newId } from '../src/ids.js'
import { createLogger } from '../src/logger.js'
import { createModules } from '../src/modules.js'
import type { Database } from '../src/storage/database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { reusableQuery } from '../src/storage/reusable-query.js'
import { inWriteTransaction } from '../src/storage/write-transaction.js'
import { createWorkspace } from '../src/workspaces/workspaces.service.js'
import { printFigure, ratio, timeIt } from './report.js'

const subjects = Number(process.env.BENCH_CONSENT_SUBJECTS ?? 100_000)
const events = Number(process.env.BENCH_CONSENT_EVENTS ?? 1_000_000)
const singleCalls = Number(process.env.BENCH_CONSENT_CALLS ?? 20_000)
const callers = 64
const goal = 50_000
const batchSize = 500
const purposes = ['analytics', 'marketing', 'profiling', 'enrichment'] as const
const logger = createLogger({ level: 'silent' })
const context = {
  source: 'sdk' as const,
  actor: { actorType: 'api-key' as const, actorId: 'pk-bench' },
  requestId: null,
  callerIp: null,
}

// The single-row baseline runs the way a single decision does (reusableQuery).
const subjectRow = reusableQuery(
  (workspaceId: string, id: string) =>
    sql`select id, gpc_at from consent_subjects where workspace_id = ${workspaceId} and id = ${id}`,
)

const anonymousIdOf = (index: number) => `anon-${index.toString(36)}-bench`

/**
 * Subject i's j-th event: the first eight cycle through the purposes, granting; the
 * last ones decide analytics and marketing: withdrawn for one subject in ten.
 */
function entryOf(index: number, j: number, count: number): LedgerEntry {
  const purpose = purposes[j % purposes.length] ?? 'analytics'
  const last = j >= count - 2
  const granted = !(last && index % 10 === 0)
  return {
    action: granted ? 'granted' : 'withdrawn',
    purpose,
    policy: null,
    gpc: false,
    evidence: null,
  }
}

async function populate(deps: ConsentDeps, workspaceId: string): Promise<string[]> {
  const perSubject = Math.max(1, Math.floor(events / subjects))
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const ids: string[] = []
  const start = Date.now()
  for (let first = 0; first < subjects; first += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, subjects - first) }, (_, k) => first + k)
    const batchIds = batch.map(() => newId())
    const sealers = await deps.keyring.sealersFor(workspaceId, batchIds)
    await inWriteTransaction(deps.db, async (trx) => {
      const rows = batch.map((index, k) => {
        const id = batchIds[k] ?? ''
        const sealer = sealers.get(id)
        if (sealer === undefined) throw new Error('no sealer')
        const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`
        return buildSubject(workspaceId, id, index, perSubject, (entry, seq, at, eventId) =>
          eventRow({
            workspaceId,
            subjectId: id,
            seq,
            id: eventId,
            entry,
            sealer,
            context: { ...context, ip, userAgent: 'Mozilla/5.0 (Bench) Consent/1.0' },
            at,
          }),
        )
      })
      // The subjects module's rows first (a subject and its identifier), then consent's.
      await trx
        .insertInto('subjects')
        .values(
          rows.map((row) => ({
            id: row.subject.id,
            workspace_id: workspaceId,
            merged_into: null,
            created_at: row.subject.created_at,
          })),
        )
        .execute()
      await trx
        .insertInto('consent_subjects')
        .values(rows.map((row) => row.subject))
        .execute()
      await trx
        .insertInto('subject_identifiers')
        .values(
          batch.map((index, k) => ({
            workspace_id: workspaceId,
            blind_index: indexer.index('anonymous_id', anonymousIdOf(index)),
            kind: 'anonymous_id' as const,
            subject_id: batchIds[k] ?? '',
            created_at: new Date().toISOString(),
          })),
        )
        .execute()
      await insertChunked(
        trx,
        'consent_events',
        rows.flatMap((row) => row.events),
      )
      await insertChunked(
        trx,
        'consent_states',
        rows.flatMap((row) => row.states),
      )
    })
    ids.push(...batchIds)
  }
  const seconds = (Date.now() - start) / 1000
  printFigure(
    'setup: subjects + ledger events inserted',
    (subjects * (perSubject + 1)) / seconds,
    'rows/s',
    `${subjects.toLocaleString('en-US')} subjects, ${(subjects * perSubject).toLocaleString('en-US')} events`,
  )
  return ids
}

function buildSubject(
  workspaceId: string,
  id: string,
  index: number,
  count: number,
  toRow: (entry: LedgerEntry, seq: number, at: string, eventId: string) => ConsentEventsTable,
) {
  const base = Date.parse('2026-01-01T00:00:00Z') + index * 1000
  let standing: Standing = { flags: noFlags, purposes: new Map() }
  const rows: ConsentEventsTable[] = []
  for (let j = 0; j < count; j += 1) {
    const at = new Date(base + j * 60_000).toISOString()
    const eventId = newId(new Date(at))
    const entry = entryOf(index, j, count)
    standing = applyEntry(standing, entry, at, eventId)
    rows.push(toRow(entry, j + 1, at, eventId))
  }
  const at = new Date(base + count * 60_000).toISOString()
  const states: ConsentStatesTable[] = [...standing.purposes.values()].map((state) =>
    stateRow(workspaceId, id, state, at),
  )
  const subject = {
    ...emptySubjectRow(workspaceId, id, at),
    ...flagColumns(standing.flags),
    decision_states: decisionStatesOf(standing.purposes),
    decision_states_seq: count,
    event_seq: count,
  }
  return { subject, events: rows, states }
}

async function insertChunked(
  trx: Database,
  table: 'consent_events' | 'consent_states',
  rows: readonly (ConsentEventsTable | ConsentStatesTable)[],
): Promise<void> {
  // Under SQLite's 32,766 bound parameters per statement.
  const per = table === 'consent_events' ? 1500 : 2500
  for (let start = 0; start < rows.length; start += per) {
    const chunk = rows.slice(start, start + per)
    if (table === 'consent_events') {
      await trx
        .insertInto('consent_events')
        .values(chunk as ConsentEventsTable[])
        .execute()
    } else {
      await trx
        .insertInto('consent_states')
        .values(chunk as ConsentStatesTable[])
        .execute()
    }
  }
}

/** Deterministic spread over the subjects (a multiplicative walk), the same every run. */
const pick = (k: number) => (k * 7919) % subjects
/** The same walk, skipping the one subject in ten whose analytics consent is withdrawn. */
const allowed = (k: number) => {
  const index = pick(k)
  return index % 10 === 0 ? (index + 1) % subjects : index
}
const goalRatio = (perSecond: number) => `${(perSecond / goal).toFixed(2)}x goal`

/**
 * Calls per second of `work(k)` for k < calls, spread over `concurrency` awaiting
 * callers; the time includes `settle` (the audit log's flush, so that refusals queued
 * for it are paid for where they were made).
 */
async function rate(
  calls: number,
  work: (k: number) => Promise<void>,
  concurrency = 1,
  settle: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  let next = 0
  const caller = async () => {
    while (next < calls) {
      const k = next
      next += 1
      await work(k)
    }
  }
  const ms = await timeIt(async () => {
    await Promise.all(Array.from({ length: concurrency }, caller))
    await settle()
  })
  return calls / (ms / 1000)
}

async function countDenied(db: Database): Promise<number> {
  const row = await db
    .selectFrom('audit_entries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('action', '=', 'consent.denied')
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-consent-'))
  const storage = openSqlite(dir)
  try {
    await migrateToLatest(storage)
    const config = loadConfig({
      env: { DATA_DIR: dir, CUSTODIAN_MASTER_KEY: testMasterKey('bench') },
    })
    const keyring = await openKeyring({ storage, config, logger, clock: systemClock })
    const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock, logger })
    const modules = createModules({
      config,
      storage,
      logger,
      clock: systemClock,
      keyring,
      audit,
      publicUrl: () => 'http://localhost',
    })
    const deps = modules.consent
    const created = await createWorkspace(modules.workspaces, {
      name: 'Bench',
      actor: { actorType: 'system', actorId: null },
    })
    const workspace = { id: created.id, settings: created.settings }
    const ids = await populate(deps, workspace.id)
    const now = new Date()

    // Warm-up: caches of the keyring, SQLite's pages, the JIT.
    for (let k = 0; k < 2000; k += 1) {
      await mayProcess(deps, {
        workspace,
        subject: { anonymousId: anonymousIdOf(allowed(k)) },
        purpose: 'analytics',
        now,
      })
    }

    const baseline = await rate(singleCalls, async (k) => {
      await subjectRow.execute(storage.db, workspace.id, ids[pick(k)] ?? '')
    })
    printFigure('baseline: bare primary-key select of one row', baseline, 'rows/s')
    const single = async (label: string, subject: (k: number) => SubjectRef) => {
      const measured = await rate(singleCalls, async (k) => {
        await mayProcess(deps, { workspace, subject: subject(k), purpose: 'analytics', now })
      })
      printFigure(
        label,
        measured,
        'decisions/s',
        `${ratio(measured, baseline)}, ${goalRatio(measured)}`,
      )
    }
    await single('mayProcess, one call at a time, by anonymousId', (k) => ({
      anonymousId: anonymousIdOf(allowed(k)),
    }))
    await single('mayProcess, one call at a time, by subject id', (k) => ({
      subjectId: ids[allowed(k)] ?? '',
    }))
    const refusing = async (label: string, concurrency: number) => {
      const before = await countDenied(storage.db)
      const measured = await rate(
        singleCalls,
        async (k) => {
          await mayProcess(deps, {
            workspace,
            subject: { anonymousId: anonymousIdOf(pick(k)) },
            purpose: 'analytics',
            now,
          })
        },
        concurrency,
        () => audit.flush(),
      )
      const audited = (await countDenied(storage.db)) - before
      printFigure(
        label,
        measured,
        'decisions/s',
        `${ratio(measured, baseline)}, ${goalRatio(measured)}, ${audited.toLocaleString('en-US')} refusals audited`,
      )
    }
    await refusing('mayProcess, one call at a time, 1 in 10 refused', 1)
    await refusing(`mayProcess, ${String(callers)} concurrent callers, 1 in 10 refused`, callers)

    const batches = Math.max(1, Math.floor((singleCalls * 5) / batchSize))
    const walk = (b: number, k: number, choose: (k: number) => number) => choose(b * batchSize + k)
    const baselineBatch =
      batchSize *
      (await rate(batches, async (b) => {
        const chunk = Array.from({ length: batchSize }, (_, k) => ids[walk(b, k, pick)] ?? '')
        await sql`select id, gpc_at from consent_subjects
          where workspace_id = ${workspace.id} and id in (${sql.join(chunk)})`.execute(storage.db)
      }))
    printFigure('baseline: primary-key select of 500 rows by in (…)', baselineBatch, 'rows/s')
    const many = async (label: string, choose: (k: number) => number) => {
      const before = await countDenied(storage.db)
      const measured =
        batchSize *
        (await rate(
          batches,
          async (b) => {
            const batch = Array.from({ length: batchSize }, (_, k) => ({
              anonymousId: anonymousIdOf(walk(b, k, choose)),
            }))
            await mayProcessMany(deps, { workspace, subjects: batch, purpose: 'analytics', now })
          },
          1,
          () => audit.flush(),
        ))
      const refusals = (await countDenied(storage.db)) - before
      printFigure(
        label,
        measured,
        'decisions/s',
        `${ratio(measured, baselineBatch)}, ${goalRatio(measured)}, ${refusals.toLocaleString('en-US')} refusals audited`,
      )
    }
    await many('mayProcessMany, 500 per call, every answer allow', allowed)
    await many('mayProcessMany, 500 per call, 1 in 10 refused', pick)
    const byIds =
      batchSize *
      (await rate(batches, async (b) => {
        const batch = Array.from({ length: batchSize }, (_, k) => ({
          subjectId: ids[walk(b, k, allowed)] ?? '',
        }))
        await mayProcessMany(deps, { workspace, subjects: batch, purpose: 'analytics', now })
      }))
    printFigure(
      'mayProcessMany, 500 per call, by subject id, allow',
      byIds,
      'decisions/s',
      `${ratio(byIds, baselineBatch)}, ${goalRatio(byIds)}`,
    )

    await measureLongHistory(deps, workspace, ids, now)
    await modules.close()
    await audit.close()
    await keyring.close()
  } finally {
    await storage.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One subject's history grows to 10k events; its decisions cost what a 10-event subject's do. */
async function measureLongHistory(
  deps: ConsentDeps,
  workspace: ConsentWorkspace,
  ids: readonly string[],
  now: Date,
): Promise<void> {
  const long = ids[1] ?? ''
  const short = ids[2] ?? ''
  const sealer = await deps.keyring.sealerFor(workspace.id, long)
  const extra = 10_000
  await inWriteTransaction(deps.db, async (trx) => {
    const current = await trx
      .selectFrom('consent_subjects')
      .select('event_seq')
      .where('id', '=', long)
      .executeTakeFirstOrThrow()
    const rows = Array.from({ length: extra }, (_, k) =>
      eventRow({
        workspaceId: workspace.id,
        subjectId: long,
        seq: current.event_seq + k + 1,
        id: newId(),
        entry: {
          action: k % 2 === 0 ? 'withdrawn' : 'granted',
          purpose: 'marketing',
          policy: null,
          gpc: false,
          evidence: null,
        },
        sealer,
        context: { ...context, ip: '10.0.0.1', userAgent: 'Bench' },
        at: new Date().toISOString(),
      }),
    )
    await insertChunked(trx, 'consent_events', rows)
    await trx
      .updateTable('consent_subjects')
      // Stamped as the ledger's append stamps them: the last of these events grants
      // marketing, as the subject had already, so its stored states stay right.
      .set({ event_seq: current.event_seq + extra, decision_states_seq: current.event_seq + extra })
      .where('id', '=', long)
      .execute()
  })
  const decisionsOn = (subjectId: string) =>
    rate(5000, async () => {
      await mayProcess(deps, { workspace, subject: { subjectId }, purpose: 'analytics', now })
    })
  const shortRate = await decisionsOn(short)
  const longRate = await decisionsOn(long)
  printFigure('mayProcess on a subject with 10 events', shortRate, 'decisions/s')
  printFigure(
    `mayProcess on a subject with ${extra.toLocaleString('en-US')} more events`,
    longRate,
    'decisions/s',
    ratio(longRate, shortRate),
  )
}

await main()
