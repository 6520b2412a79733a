import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Erasure, PersonalDataRegistry, ResolvedSubject } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { resolveSubject, type SubjectName } from './resolve-subject.js'
import {
  completeErasure,
  insertErasure,
  markKeysDestroyed,
  selectOpenErasures,
} from './subjects.repository.js'
import type { SubjectErasuresTable } from './subjects.table.js'

export interface SubjectsDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record'>
  clock: Clock
  registry: PersonalDataRegistry
}

export interface ErasureReport {
  erasureId: string
  keyHolders: number
  /** Per module: erased with its rows per table, or retained with its Art. 17(3) basis. */
  sources: Record<string, Erasure>
}

/**
 * Art. 17: erases one person everywhere, in an order a crash cannot spoil.
 *
 * 1. Resolve: every source's rows and key holders for the person (nothing opened).
 * 2. Record the plan (the key holders, no identifier) before touching anything.
 * 3. Destroy every key holder's keys: from here the person's sealed data is unreadable
 *    everywhere at once, replicas and backups included (crypto-shredding). A crash after
 *    this leaves only rows nobody can open.
 * 4. Every source erases its rows in ONE write transaction, which also completes the
 *    record: all of the person's rows go, or none and the record stays open.
 * 5. One `subject.erased` audit entry with the counts per source.
 *
 * An open record (a crash between 2 and 4) is finished by `resumeErasures`, from the key
 * holders alone.
 */
export async function eraseSubject(
  deps: SubjectsDeps,
  input: { workspaceId: string; names: readonly SubjectName[]; actor: Actor; requestId?: string },
): Promise<ErasureReport> {
  const { subject } = await resolveSubject(deps, input.workspaceId, input.names)
  const now = deps.clock.now().toISOString()
  const record: SubjectErasuresTable = {
    id: newId(deps.clock.now()),
    workspace_id: input.workspaceId,
    key_holders: JSON.stringify(subject.keyHolders),
    requested_by: requesterOf(input.actor),
    planned_at: now,
    keys_destroyed_at: null,
    completed_at: null,
    outcome: null,
  }
  await insertErasure(deps.db, record)
  return finishErasure(deps, record, subject, input)
}

/** Finishes every erasure a crash left open, oldest first. Safe to run any time, again. */
export async function resumeErasures(
  deps: SubjectsDeps,
  actor: Actor = { actorType: 'system', actorId: null },
): Promise<ErasureReport[]> {
  const reports: ErasureReport[] = []
  for (const record of await selectOpenErasures(deps.db)) {
    const subject: ResolvedSubject = {
      workspaceId: record.workspace_id,
      identifiers: [],
      keyHolders: keyHoldersOf(record),
    }
    reports.push(await finishErasure(deps, record, subject, { actor }))
  }
  return reports
}

async function finishErasure(
  deps: SubjectsDeps,
  record: SubjectErasuresTable,
  subject: ResolvedSubject,
  input: { actor: Actor; requestId?: string },
): Promise<ErasureReport> {
  const { workspaceId } = subject
  // Shredding is idempotent: a resumed walk destroys again whatever is left.
  for (const keyHolder of subject.keyHolders) {
    await deps.keyring.shredSubject(workspaceId, keyHolder)
  }
  await markKeysDestroyed(deps.db, record.id, deps.clock.now().toISOString())
  const sources = await inWriteTransaction(deps.db, async (trx) => {
    const outcomes: Record<string, Erasure> = {}
    for (const source of deps.registry.sources) {
      outcomes[source.module] = await source.erase(trx, subject)
    }
    await completeErasure(trx, record.id, deps.clock.now().toISOString(), outcomes)
    return outcomes
  })
  await deps.audit.record({
    workspaceId,
    actor: input.actor,
    action: 'subject.erased',
    resource: { type: 'subject_erasure', id: record.id },
    outcome: 'succeeded',
    requestId: input.requestId ?? null,
    details: { keyHolders: subject.keyHolders.length, sources: summaryOf(sources) },
  })
  return { erasureId: record.id, keyHolders: subject.keyHolders.length, sources }
}

/**
 * `audit:retained(art-17-3-b+art-17-3-e) consent:7 contacts:1`: rows per source, no
 * values, in one detail however many sources there are (the log bounds its keys).
 */
export function summaryOf(sources: Record<string, Erasure>): string {
  return Object.entries(sources)
    .map(([module, erasure]) =>
      erasure.outcome === 'retained'
        ? `${module}:retained(${erasure.bases.join('+')})`
        : `${module}:${Object.values(erasure.rows).reduce((sum, count) => sum + count, 0)}`,
    )
    .join(' ')
}

function requesterOf(actor: Actor): string {
  return actor.actorId === null ? actor.actorType : `${actor.actorType}:${actor.actorId}`
}

function keyHoldersOf(record: SubjectErasuresTable): string[] {
  const parsed: unknown = JSON.parse(record.key_holders)
  return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : []
}
