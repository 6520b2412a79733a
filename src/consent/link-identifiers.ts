import type { SubjectSealer } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import {
  blindIdentifiersOf,
  linkSubjects,
  subjectIdsNamed,
  type SubjectIdentifier,
  type SubjectsTable,
} from '../subjects/index.js'
import type { ConsentDeps, LedgerContext } from './consent.deps.js'
import { foldStatesOf, insertSubject, selectStates, selectSubject } from './consent.repository.js'
import type { ConsentSubjectsTable } from './consent.table.js'
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

/**
 * Identify: several identifiers name one person from now on. The seam the capture
 * module calls when a visitor signs in. The subjects module links the identifiers and
 * merges the subjects they name (`linkSubjects`: the one holding an external id is
 * kept, else the oldest; two external ids are never joined); in the same transaction
 * this module does its part of the merge: the kept subject's standing becomes the merge
 * of all of theirs (the later choice per purpose, every objection and restriction, the
 * younger declared age), and a `linked` entry records it in the ledger. The absorbed
 * subjects' ledger rows stay where they are, sealed under their own keys, and show in
 * the kept subject's history.
 */
export async function linkIdentifiers(deps: ConsentDeps, input: LinkInput): Promise<LinkResult> {
  const { workspaceId } = input
  if (input.identifiers.length === 0) {
    throw new AppError('invalid_request', 'Name at least one identifier to link')
  }
  const identifiers = await blindIdentifiersOf(deps.keyring, workspaceId, input.identifiers)
  const now = deps.clock.now()
  const known = await subjectIdsNamed(
    deps.db,
    workspaceId,
    identifiers.map((item) => item.blindIndex),
  )
  // A new person: the key is made now, outside the transaction (see ledger.service.ts).
  const candidateId = known.size === 0 ? newId(now) : undefined
  const candidateSealer =
    candidateId === undefined ? undefined : await deps.keyring.sealerFor(workspaceId, candidateId)

  const result = await inWriteTransaction(deps.db, async (trx) => {
    const link = await linkSubjects(trx, { workspaceId, identifiers, candidateId, now })
    const kept = await consentRowOf(trx, workspaceId, link.kept, now)
    const absorbed = await consentRowsOf(trx, workspaceId, link.absorbed)
    const merged = await mergedStanding(trx, workspaceId, kept, absorbed, now)
    await foldStatesOf(
      trx,
      workspaceId,
      absorbed.map((row) => row.id),
      now.toISOString(),
    )
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
            identifierKinds: [...new Set(identifiers.map((item) => item.kind))].sort().join(','),
            mergedSubjects: link.absorbed.length,
          },
        },
      ],
      context: input.context,
      now,
      rewriteStates: merged.purposes.keys(),
    })
    return { written, absorbedIds: link.absorbed.map((subject) => subject.id) }
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

/** The kept subject's consent row, locked; made when the ledger has not written for it yet. */
async function consentRowOf(
  trx: Database,
  workspaceId: string,
  subject: SubjectsTable,
  now: Date,
): Promise<ConsentSubjectsTable> {
  const row = await selectSubject(trx, workspaceId, subject.id, true)
  if (row !== undefined) return row
  const made = emptySubjectRow(workspaceId, subject.id, now.toISOString())
  await insertSubject(trx, made)
  return made
}

/** The absorbed subjects' consent rows, locked in id order; a subject without one has no choices. */
async function consentRowsOf(
  trx: Database,
  workspaceId: string,
  subjects: readonly SubjectsTable[],
): Promise<ConsentSubjectsTable[]> {
  const rows: ConsentSubjectsTable[] = []
  for (const id of subjects.map((subject) => subject.id).sort()) {
    const row = await selectSubject(trx, workspaceId, id, true)
    if (row !== undefined) rows.push(row)
  }
  return rows
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
