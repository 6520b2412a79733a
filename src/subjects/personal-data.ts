import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import {
  countSubjectRows,
  deleteSubjectRows,
  findSubjectIdsByIndexes,
  selectIdentifiers,
  selectLinkedIds,
  selectSurvivingIds,
} from './identifiers.repository.js'

/** The subjects module's personal data: who is one person, by blind indexes only. */
export const subjectsTables: readonly PersonalTable[] = [
  {
    name: 'subjects',
    categories: ['identifiers'],
    retention: 'as long as any module holds data of the person; erased with the person',
  },
  {
    name: 'subject_identifiers',
    categories: ['identifiers'],
    otherBinary: {
      blind_index:
        'a keyed blind index (HMAC) of an identifier: it finds the person and reveals nothing',
    },
    retention: 'as long as the subject; erased with the person',
  },
]

/**
 * Every subject of the person: those their identifiers name and those among their key
 * holders, each with every subject merged into the same survivor.
 */
export async function subjectIdsOfPerson(
  db: Database,
  subject: ResolvedSubject,
): Promise<string[]> {
  const { workspaceId } = subject
  const named = await findSubjectIdsByIndexes(
    db,
    workspaceId,
    subject.identifiers.map((identifier) => identifier.blindIndex),
  )
  const surviving = await selectSurvivingIds(db, workspaceId, [
    ...new Set([...named.values(), ...subject.keyHolders]),
  ])
  return selectLinkedIds(db, workspaceId, [...new Set(surviving.values())])
}

export function subjectsPersonalData(deps: { db: Database }): PersonalDataSource {
  return {
    module: 'subjects',
    tables: subjectsTables,
    async locate(subject) {
      const subjectIds = await subjectIdsOfPerson(deps.db, subject)
      const identifiers = await selectIdentifiers(deps.db, subject.workspaceId, subjectIds)
      return {
        rows: await countSubjectRows(deps.db, subject.workspaceId, subjectIds),
        // Every subject of the person seals some of their data (or may, once merged).
        keyHolders: subjectIds,
        identifiers: identifiers.map((row): BlindIdentifier => ({
          kind: row.kind,
          blindIndex: row.blind_index,
        })),
      }
    },
    async exportTo(subject, writer) {
      const { workspaceId } = subject
      const subjectIds = await subjectIdsOfPerson(deps.db, subject)
      const surviving = await selectSurvivingIds(deps.db, workspaceId, subjectIds)
      const identifiers = await selectIdentifiers(deps.db, workspaceId, subjectIds)
      for (const id of subjectIds) {
        // The identifiers themselves are kept only as keyed digests: their kinds are
        // what this module can tell; the values are in the other sources' parts.
        const kinds = identifiers.filter((row) => row.subject_id === id).map((row) => row.kind)
        await writer.add('subjects', 'subjects', {
          subjectId: id,
          mergedInto: surviving.get(id) === id ? null : (surviving.get(id) ?? null),
          identifierKinds: [...new Set(kinds)].sort(),
        })
      }
    },
    async erase(trx, subject) {
      // By the key holders alone: a resumed erasure has no identifiers to go on.
      const rows = await deleteSubjectRows(trx, subject.workspaceId, subject.keyHolders)
      return { outcome: 'erased', rows }
    },
  }
}
