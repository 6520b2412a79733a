import { sql } from 'kysely'
import type { Keyring } from '../crypto/index.js'
import type { Database } from '../storage/index.js'
import { padToSizeClass, reusableQuery } from '../storage/index.js'
import { identifierValueOf, type SubjectIdentifier } from './identifiers.logic.js'
import {
  findSubjectIdByIndex,
  findSubjectIdsByIndexes,
  selectLinkedIds,
  selectSurvivingIds,
  sqlChunkSize,
} from './identifiers.repository.js'

interface LookupDeps {
  db: Database
  keyring: Pick<Keyring, 'blindIndex'>
}

export interface LinkedSubjects {
  /** The subject that speaks for the person now. */
  subjectId: string
  /** It and every subject merged into it (sorted): the ids the person's rows were made under. */
  subjectIds: string[]
}

/**
 * The person an identifier names now, with every subject merged into them. Identify
 * merges a visitor's anonymous subject and a contact's into one person
 * (`linkSubjects`), but rows made before the merge keep the subject id they were made
 * and sealed under: this is how a module finds all of them. Undefined when no subject
 * has the identifier (never seen, or erased). Reads nothing personal, so it records no
 * audit entry: the caller audits the rows it reads with it.
 *
 * @example
 *   const person = await findLinkedSubjects(deps, { workspaceId, subject: { externalId: 'user-42' } })
 *   // person?.subjectIds: ['01J…anonymous', '01J…contact']
 */
export async function findLinkedSubjects(
  deps: LookupDeps,
  input: { workspaceId: string; subject: SubjectIdentifier },
): Promise<LinkedSubjects | undefined> {
  const { workspaceId } = input
  const { kind, value } = identifierValueOf(input.subject)
  const blindIndex = await deps.keyring.blindIndex(workspaceId, kind, value)
  const subjectId = await findSubjectIdByIndex(deps.db, workspaceId, blindIndex)
  if (subjectId === undefined) return undefined
  return { subjectId, subjectIds: await selectLinkedIds(deps.db, workspaceId, [subjectId]) }
}

/** The surviving subject a blind index names, or undefined. Nothing is opened. */
export function subjectIdNamed(
  db: Database,
  workspaceId: string,
  blindIndex: Buffer,
): Promise<string | undefined> {
  return findSubjectIdByIndex(db, workspaceId, blindIndex)
}

/** The surviving subject each of these blind indexes names, keyed by the index as latin1. */
export function subjectIdsNamed(
  db: Database,
  workspaceId: string,
  blindIndexes: readonly Buffer[],
): Promise<Map<string, string>> {
  return findSubjectIdsByIndexes(db, workspaceId, blindIndexes)
}

/** The surviving subject of each of these subject ids that exists (itself when not merged). */
export function survivingSubjectIds(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Map<string, string>> {
  return selectSurvivingIds(db, workspaceId, subjectIds)
}

/**
 * Every subject of the people these subject ids belong to: their surviving subjects and
 * everything merged into them, sorted. An id no subject has is left out.
 */
export async function linkedSubjectIds(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<string[]> {
  const surviving = await selectSurvivingIds(db, workspaceId, subjectIds)
  return selectLinkedIds(db, workspaceId, [...new Set(surviving.values())])
}

const externalIdIndexesBySubjects = reusableQuery(
  (workspaceId: string, ...subjectIds: string[]) =>
    sql<{ subject_id: string; blind_index: Buffer }>`select s.id as subject_id, i.blind_index
      from subjects s
      join subject_identifiers i
        on i.workspace_id = s.workspace_id and i.subject_id = coalesce(s.merged_into, s.id)
      where s.workspace_id = ${workspaceId} and s.id in (${sql.join(subjectIds)})
        and i.kind = 'external_id'`,
)

/**
 * The other way round: for each of these subjects that identify linked to an external
 * id, that id's blind index, which is also the contact's (contacts index external ids
 * with the same workspace key). How a module holding only a subject id finds the
 * contact of a visitor who signed in; asked on every ingest request, beside its
 * decisions, so built the same way (one statement per 500, padded to a size class). A
 * subject since merged into another answers with the kept one's; one without an external
 * id (a visitor never identified) is absent. Nothing personal is read: nothing audited.
 *
 * @example
 *   const indexes = await findExternalIdIndexes(deps, { workspaceId, subjectIds: ['01J…'] })
 *   // indexes.get('01J…'): the blind index of 'user-42', or undefined
 */
export async function findExternalIdIndexes(
  deps: { db: Database },
  input: { workspaceId: string; subjectIds: readonly string[] },
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>()
  const { subjectIds, workspaceId } = input
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = padToSizeClass(subjectIds.slice(start, start + sqlChunkSize), '')
    const rows = await externalIdIndexesBySubjects.execute(deps.db, workspaceId, ...chunk)
    for (const row of rows) found.set(row.subject_id, row.blind_index)
  }
  return found
}
