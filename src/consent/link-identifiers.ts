import type { SubjectSealer } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import type { ConsentDeps, LedgerContext } from './consent.deps.js'
import {
  findSubjectIdByIndex,
  insertIdentifier,
  insertSubject,
  mergeSubjectsInto,
  selectIdentifiers,
  selectStates,
  selectSubject,
} from './consent.repository.js'
import type { ConsentSubjectsTable, IdentifierKind } from './consent.table.js'
import { identifierValueOf, type SubjectIdentifier } from './identifiers.logic.js'
import { mergeStandings, type Standing } from './ledger.logic.js'
import { auditEventOf, emptySubjectRow, type LedgerEvent, standingOf } from './ledger.rows.js'
import { persistEntries } from './ledger.service.js'

export interface LinkInput {
  workspaceId: string
  /** Every identifier now known to name one person, e.g. `[{ anonymousId }, { externalId }]`. */
  identifiers: readonly SubjectIdentifier[]
  context: LedgerContext
}

export interface LinkResult {
  subjectId: string
  /** Subjects that were separate until now and were linked into `subjectId`. */
  mergedSubjectIds: string[]
  event: LedgerEvent
}

interface Named {
  kind: IdentifierKind
  blindIndex: Buffer
}

/**
 * Identify: several identifiers name one person from now on. The seam the capture
 * module calls when a visitor signs in (`identify` carries its history and consents
 * over). When the identifiers were separate subjects, they become one: the one holding
 * an external id (the contact) is kept, else the oldest; its state becomes the merge
 * of all of theirs (the later choice per purpose, every objection and restriction, the
 * younger declared age), and the others point at it. Their ledger rows stay where they
 * are, sealed under their own keys, and show in the kept subject's history.
 *
 * Two different external ids never end up on one subject: that would join two
 * accounts (a shared computer) and give one person's consent to another.
 */
export async function linkIdentifiers(deps: ConsentDeps, input: LinkInput): Promise<LinkResult> {
  const { workspaceId } = input
  if (input.identifiers.length === 0) {
    throw new AppError('invalid_request', 'Name at least one identifier to link')
  }
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const named: Named[] = uniqueByIndex(
    input.identifiers.map((identifier) => {
      const { kind, value } = identifierValueOf(identifier)
      return { kind, blindIndex: indexer.index(kind, value) }
    }),
  )
  const now = deps.clock.now()
  const known = await Promise.all(
    named.map((item) => findSubjectIdByIndex(deps.db, workspaceId, item.blindIndex)),
  )
  // A new person: the key is made now, outside the transaction (see ledger.service.ts).
  const candidateId = known.every((id) => id === undefined) ? newId(now) : undefined
  const candidateSealer =
    candidateId === undefined ? undefined : await deps.keyring.sealerFor(workspaceId, candidateId)

  const result = await inWriteTransaction(deps.db, async (trx) => {
    const subjects = await lockSubjectsOf(trx, workspaceId, named)
    await refuseTwoAccounts(trx, workspaceId, named, subjects)
    const keep = subjects.length === 0 ? undefined : await chooseKept(trx, workspaceId, subjects)
    const kept = keep ?? (await createLinked(trx, workspaceId, candidateId, now))
    const absorbed = subjects.filter((subject) => subject.id !== kept.id)
    const merged = await mergedStanding(trx, workspaceId, kept, absorbed, now)
    await mergeSubjectsInto(
      trx,
      workspaceId,
      absorbed.map((s) => s.id),
      kept.id,
      now.toISOString(),
    )
    await attachIdentifiers(trx, workspaceId, named, kept.id, now)
    const sealer: SubjectSealer =
      candidateSealer !== undefined && kept.id === candidateId
        ? candidateSealer
        : await deps.keyring.sealerFor(workspaceId, kept.id, { db: trx, create: false })
    const written = await persistEntries(trx, {
      workspaceId,
      subject: kept,
      sealer,
      current: merged,
      entries: [
        {
          action: 'linked',
          purpose: null,
          policy: null,
          gpc: false,
          evidence: {
            identifierKinds: [...new Set(named.map((item) => item.kind))].sort().join(','),
            mergedSubjects: absorbed.length,
          },
        },
      ],
      context: input.context,
      now,
      rewriteStates: merged.purposes.keys(),
    })
    return { written, absorbedIds: absorbed.map((subject) => subject.id) }
  })
  if (candidateId !== undefined && result.written.subjectId !== candidateId) {
    await deps.keyring.shredSubject(workspaceId, candidateId)
  }
  const event = result.written.events[0]
  if (event === undefined) throw new Error('unreachable: the link entry was not written')
  await deps.audit.record({
    ...auditEventOf(workspaceId, event, input.context),
    details: { source: event.source, mergedSubjects: result.absorbedIds.length },
  })
  return { subjectId: result.written.subjectId, mergedSubjectIds: result.absorbedIds, event }
}

function uniqueByIndex(items: readonly Named[]): Named[] {
  const seen = new Map<string, Named>()
  for (const item of items) seen.set(item.blindIndex.toString('hex'), item)
  return [...seen.values()]
}

/** The distinct current subjects the identifiers name, locked in id order (no deadlocks). */
async function lockSubjectsOf(
  trx: Database,
  workspaceId: string,
  named: readonly Named[],
): Promise<ConsentSubjectsTable[]> {
  const ids = new Set<string>()
  for (const item of named) {
    const id = await findSubjectIdByIndex(trx, workspaceId, item.blindIndex)
    if (id !== undefined) ids.add(id)
  }
  const rows: ConsentSubjectsTable[] = []
  for (const id of [...ids].sort()) {
    const row = await selectSubject(trx, workspaceId, id, true)
    const current =
      row?.merged_into == null ? row : await selectSubject(trx, workspaceId, row.merged_into, true)
    if (current !== undefined && !rows.some((seen) => seen.id === current.id)) rows.push(current)
  }
  return rows
}

async function refuseTwoAccounts(
  trx: Database,
  workspaceId: string,
  named: readonly Named[],
  subjects: readonly ConsentSubjectsTable[],
): Promise<void> {
  const existing = await selectIdentifiers(
    trx,
    workspaceId,
    subjects.map((s) => s.id),
  )
  const externalIds = new Set(
    [...existing, ...named.map((item) => ({ kind: item.kind, blind_index: item.blindIndex }))]
      .filter((item) => item.kind === 'external_id')
      .map((item) => item.blind_index.toString('hex')),
  )
  if (externalIds.size > 1) {
    throw new AppError(
      'conflict',
      'These identifiers belong to two different external ids; they are not linked',
    )
  }
}

async function chooseKept(
  trx: Database,
  workspaceId: string,
  subjects: readonly ConsentSubjectsTable[],
): Promise<ConsentSubjectsTable> {
  const identifiers = await selectIdentifiers(
    trx,
    workspaceId,
    subjects.map((s) => s.id),
  )
  const contact = identifiers.find((item) => item.kind === 'external_id')
  const byAge = [...subjects].sort((a, b) =>
    a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
  )
  const kept = subjects.find((s) => s.id === contact?.subject_id) ?? byAge[0]
  if (kept === undefined) throw new Error('unreachable: no subject to keep')
  return kept
}

async function createLinked(
  trx: Database,
  workspaceId: string,
  candidateId: string | undefined,
  now: Date,
): Promise<ConsentSubjectsTable> {
  // Every identifier was unknown before the transaction and is still unknown inside it.
  if (candidateId === undefined) {
    throw new AppError('conflict', 'The identifiers changed meanwhile; retry')
  }
  const row = emptySubjectRow(workspaceId, candidateId, now.toISOString())
  await insertSubject(trx, row)
  return row
}

async function mergedStanding(
  trx: Database,
  workspaceId: string,
  kept: ConsentSubjectsTable,
  absorbed: readonly ConsentSubjectsTable[],
  now: Date,
): Promise<Standing> {
  let standing = standingOf(kept, await selectStates(trx, workspaceId, kept.id))
  for (const other of absorbed) {
    const theirs = standingOf(other, await selectStates(trx, workspaceId, other.id))
    standing = mergeStandings(standing, theirs, now)
  }
  return standing
}

async function attachIdentifiers(
  trx: Database,
  workspaceId: string,
  named: readonly Named[],
  subjectId: string,
  now: Date,
): Promise<void> {
  for (const item of named) {
    const owner = await findSubjectIdByIndex(trx, workspaceId, item.blindIndex)
    if (owner === subjectId) continue
    const added = await insertIdentifier(trx, {
      workspace_id: workspaceId,
      blind_index: item.blindIndex,
      kind: item.kind,
      subject_id: subjectId,
      created_at: now.toISOString(),
    })
    if (!added) throw new AppError('conflict', 'An identifier was taken meanwhile; retry')
  }
}
