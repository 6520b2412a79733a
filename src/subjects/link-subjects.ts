import type { Keyring, KeyAccess } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type { BlindIdentifier } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { identifierValueOf, type SubjectIdentifier } from './identifiers.logic.js'
import {
  deleteSubjectRow,
  findSubjectIdByIndex,
  insertIdentifier,
  insertIdentifiers,
  insertSubjectRow,
  insertSubjectRows,
  mergeSubjectRowsInto,
  selectIdentifiers,
  selectSubjectRow,
} from './identifiers.repository.js'
import type { SubjectsTable } from './subjects.table.js'

/** What linking did: the subject that speaks for the person now, and who joined it. */
export interface SubjectLink {
  kept: SubjectsTable
  /** Subjects that were separate until now and were merged into `kept`, oldest first. */
  absorbed: SubjectsTable[]
  /** True when no identifier was known and `kept` is the new subject `candidateId`. */
  created: boolean
}

/** The blind indexes of identifiers given in clear, each once. */
export async function blindIdentifiersOf(
  keyring: Pick<Keyring, 'indexerFor'>,
  workspaceId: string,
  identifiers: readonly SubjectIdentifier[],
  access?: KeyAccess,
): Promise<BlindIdentifier[]> {
  const indexer = await keyring.indexerFor(workspaceId, access)
  return uniqueByIndex(
    identifiers.map((identifier) => {
      const { kind, value } = identifierValueOf(identifier)
      return { kind, blindIndex: indexer.index(kind, value) }
    }),
  )
}

/**
 * Identify: several identifiers name one person from now on. Runs in the caller's write
 * transaction, so the caller's own part of the merge (the consent ledger folds the
 * subjects' choices into the kept one's) commits with it or not at all.
 *
 * When the identifiers are separate subjects, they become one: the one holding an
 * external id (the customer's account, so the contact's) is kept, else the oldest; the
 * others and everything merged into them point at it, and their identifiers move to it.
 * Nothing sealed moves: rows stay under the keys they were sealed with, and those keys
 * stay the person's key holders (`resolveSubject`'s `linkedIds`). A new person (nothing
 * known) becomes the subject `candidateId`, whose key the caller made beforehand.
 *
 * Two different external ids never end up on one subject: that would join two accounts
 * (a shared computer) and give one person's consent or data to another.
 */
export async function linkSubjects(
  trx: Database,
  input: {
    workspaceId: string
    identifiers: readonly BlindIdentifier[]
    candidateId: string | undefined
    now: Date
  },
): Promise<SubjectLink> {
  const { workspaceId, now } = input
  const named = uniqueByIndex(input.identifiers)
  if (named.length === 0) throw new AppError('invalid_request', 'Name at least one identifier')
  const subjects = await lockSubjectsOf(trx, workspaceId, named)
  await refuseTwoAccounts(trx, workspaceId, named, subjects)
  const created = subjects.length === 0
  const kept = created
    ? await createSubject(trx, workspaceId, input.candidateId, now)
    : await chooseKept(trx, workspaceId, subjects)
  const absorbed = subjects.filter((subject) => subject.id !== kept.id)
  await mergeSubjectRowsInto(
    trx,
    workspaceId,
    absorbed.map((subject) => subject.id),
    kept.id,
  )
  for (const item of named) {
    const owner = await findSubjectIdByIndex(trx, workspaceId, item.blindIndex)
    if (owner === kept.id) continue
    const added = await insertIdentifier(trx, identifierRow(workspaceId, item, kept.id, now))
    if (!added) throw new AppError('conflict', 'An identifier was taken meanwhile; retry')
  }
  return { kept, absorbed, created }
}

/**
 * The subject one identifier names, made (as `candidateId`, with the identifier) when
 * none does: how the consent ledger meets a visitor for the first time. Another writer
 * naming the same identifier first (PostgreSQL) wins, and its subject is returned.
 */
export async function subjectNamedOrNew(
  trx: Database,
  input: { workspaceId: string; identifier: BlindIdentifier; candidateId: string; now: Date },
): Promise<{ subjectId: string; created: boolean }> {
  const { workspaceId, identifier, candidateId, now } = input
  const known = await findSubjectIdByIndex(trx, workspaceId, identifier.blindIndex)
  if (known !== undefined) return { subjectId: known, created: false }
  await insertSubjectRow(trx, subjectRow(workspaceId, candidateId, now))
  if (await insertIdentifier(trx, identifierRow(workspaceId, identifier, candidateId, now))) {
    return { subjectId: candidateId, created: true }
  }
  await deleteSubjectRow(trx, workspaceId, candidateId)
  const theirs = await findSubjectIdByIndex(trx, workspaceId, identifier.blindIndex)
  if (theirs === undefined) throw new AppError('conflict', 'The subject changed meanwhile; retry')
  return { subjectId: theirs, created: false }
}

/**
 * Gives a subject (made when it does not exist) the identifiers no subject has yet, and
 * returns those another subject already has, which stay where they are. Never merges:
 * joining two subjects' consents and data is identify's decision (`linkSubjects`),
 * made on a sign-in, not a side effect of a CRM write naming an email.
 */
export async function attachIdentifiers(
  trx: Database,
  input: {
    workspaceId: string
    subjectId: string
    identifiers: readonly BlindIdentifier[]
    now: Date
  },
): Promise<BlindIdentifier[]> {
  const { workspaceId, subjectId, now } = input
  await insertSubjectRow(trx, subjectRow(workspaceId, subjectId, now))
  const elsewhere: BlindIdentifier[] = []
  for (const item of uniqueByIndex(input.identifiers)) {
    if (await insertIdentifier(trx, identifierRow(workspaceId, item, subjectId, now))) continue
    const owner = await findSubjectIdByIndex(trx, workspaceId, item.blindIndex)
    if (owner !== subjectId) elsewhere.push(item)
  }
  return elsewhere
}

/**
 * `attachIdentifiers` for many subjects at once (a batch import), in a few statements:
 * each subject made when it does not exist, each identifier no subject has given to its
 * subject, one another subject has left there.
 */
export async function attachIdentifiersOfMany(
  trx: Database,
  input: {
    workspaceId: string
    subjects: readonly { subjectId: string; identifiers: readonly BlindIdentifier[] }[]
    now: Date
  },
): Promise<void> {
  const { workspaceId, now } = input
  await insertSubjectRows(
    trx,
    input.subjects.map((subject) => subjectRow(workspaceId, subject.subjectId, now)),
  )
  // One row per digest: a statement may not name the same key twice (PostgreSQL).
  const rows = new Map<string, ReturnType<typeof identifierRow>>()
  for (const subject of input.subjects) {
    for (const item of subject.identifiers) {
      const key = item.blindIndex.toString('latin1')
      if (!rows.has(key)) rows.set(key, identifierRow(workspaceId, item, subject.subjectId, now))
    }
  }
  await insertIdentifiers(trx, [...rows.values()])
}

/**
 * The surviving subject of `subjectId` (itself, or the one it was merged into), its row
 * locked on PostgreSQL until the caller's transaction ends, so that a merge waits for
 * the caller instead of moving the subject under it. Undefined when no such subject.
 */
export async function lockSurvivingSubject(
  trx: Database,
  workspaceId: string,
  subjectId: string,
): Promise<string | undefined> {
  const row = await selectSubjectRow(trx, workspaceId, subjectId, true)
  if (row === undefined || row.merged_into === null) return row?.id
  return (await selectSubjectRow(trx, workspaceId, row.merged_into, true))?.id
}

function subjectRow(workspaceId: string, id: string, now: Date): SubjectsTable {
  return { id, workspace_id: workspaceId, merged_into: null, created_at: now.toISOString() }
}

function identifierRow(workspaceId: string, item: BlindIdentifier, subjectId: string, now: Date) {
  return {
    workspace_id: workspaceId,
    blind_index: item.blindIndex,
    kind: item.kind,
    subject_id: subjectId,
    created_at: now.toISOString(),
  }
}

function uniqueByIndex(items: readonly BlindIdentifier[]): BlindIdentifier[] {
  const seen = new Map<string, BlindIdentifier>()
  for (const item of items) seen.set(item.blindIndex.toString('latin1'), item)
  return [...seen.values()]
}

/** The distinct surviving subjects the identifiers name, locked in id order (no deadlocks). */
async function lockSubjectsOf(
  trx: Database,
  workspaceId: string,
  named: readonly BlindIdentifier[],
): Promise<SubjectsTable[]> {
  const ids = new Set<string>()
  for (const item of named) {
    const id = await findSubjectIdByIndex(trx, workspaceId, item.blindIndex)
    if (id !== undefined) ids.add(id)
  }
  const rows: SubjectsTable[] = []
  for (const id of [...ids].sort()) {
    const row = await selectSubjectRow(trx, workspaceId, id, true)
    const current =
      row?.merged_into == null
        ? row
        : await selectSubjectRow(trx, workspaceId, row.merged_into, true)
    if (current !== undefined && !rows.some((seen) => seen.id === current.id)) rows.push(current)
  }
  return rows
}

async function refuseTwoAccounts(
  trx: Database,
  workspaceId: string,
  named: readonly BlindIdentifier[],
  subjects: readonly SubjectsTable[],
): Promise<void> {
  const existing = await selectIdentifiers(
    trx,
    workspaceId,
    subjects.map((subject) => subject.id),
  )
  const externalIds = new Set(
    [...existing.map((row) => ({ kind: row.kind, blindIndex: row.blind_index })), ...named]
      .filter((item) => item.kind === 'external_id')
      .map((item) => item.blindIndex.toString('latin1')),
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
  subjects: readonly SubjectsTable[],
): Promise<SubjectsTable> {
  const identifiers = await selectIdentifiers(
    trx,
    workspaceId,
    subjects.map((subject) => subject.id),
  )
  const account = identifiers.find((item) => item.kind === 'external_id')
  const byAge = [...subjects].sort((a, b) =>
    a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
  )
  const kept = subjects.find((subject) => subject.id === account?.subject_id) ?? byAge[0]
  if (kept === undefined) throw new Error('unreachable: no subject to keep')
  return kept
}

async function createSubject(
  trx: Database,
  workspaceId: string,
  candidateId: string | undefined,
  now: Date,
): Promise<SubjectsTable> {
  // Every identifier was unknown before the caller's transaction and is still unknown.
  if (candidateId === undefined) {
    throw new AppError('conflict', 'The identifiers changed meanwhile; retry')
  }
  const row = subjectRow(workspaceId, candidateId, now)
  if (!(await insertSubjectRow(trx, row))) {
    throw new AppError('conflict', 'The subject changed meanwhile; retry')
  }
  return row
}
