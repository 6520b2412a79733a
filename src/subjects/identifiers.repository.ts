import type { Database } from '../storage/index.js'
import { locksRows } from '../storage/index.js'
import type { SubjectIdentifiersTable, SubjectsTable } from './subjects.table.js'

/**
 * SQL for subjects and their identifiers. Every function takes the workspace id. Other
 * modules never name these tables: they call the functions of this module, or embed the
 * fragments of subject-queries.ts in a statement of their own.
 */

// Keeps each statement well under SQLite's and PostgreSQL's bound-parameter limits.
export const sqlChunkSize = 500

export async function findSubjectIdByIndex(
  db: Database,
  workspaceId: string,
  blindIndex: Buffer,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('subject_identifiers')
    .select('subject_id')
    .where('workspace_id', '=', workspaceId)
    .where('blind_index', '=', blindIndex)
    .executeTakeFirst()
  return row?.subject_id
}

/** The subjects these blind indexes name (always surviving ones: a merge moves identifiers). */
export async function findSubjectIdsByIndexes(
  db: Database,
  workspaceId: string,
  blindIndexes: readonly Buffer[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (let start = 0; start < blindIndexes.length; start += sqlChunkSize) {
    const rows = await db
      .selectFrom('subject_identifiers')
      .select(['blind_index', 'subject_id'])
      .where('workspace_id', '=', workspaceId)
      .where('blind_index', 'in', blindIndexes.slice(start, start + sqlChunkSize))
      .execute()
    for (const row of rows) found.set(row.blind_index.toString('latin1'), row.subject_id)
  }
  return found
}

/** The subject row; `lock` holds it (PostgreSQL) until the transaction ends. */
export async function selectSubjectRow(
  db: Database,
  workspaceId: string,
  subjectId: string,
  lock = false,
): Promise<SubjectsTable | undefined> {
  let query = db
    .selectFrom('subjects')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
  if (lock && locksRows(db)) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Adds a subject unless it exists; true when this call added it. */
export async function insertSubjectRow(db: Database, row: SubjectsTable): Promise<boolean> {
  const result = await db
    .insertInto('subjects')
    .values(row)
    .onConflict((conflict) => conflict.column('id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Many subjects at once, those that exist left as they are; statements of 500 rows. */
export async function insertSubjectRows(
  db: Database,
  rows: readonly SubjectsTable[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += sqlChunkSize) {
    await db
      .insertInto('subjects')
      .values(rows.slice(start, start + sqlChunkSize))
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute()
  }
}

/** Many identifiers at once, those someone already has left where they are. */
export async function insertIdentifiers(
  db: Database,
  rows: readonly SubjectIdentifiersTable[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += sqlChunkSize) {
    await db
      .insertInto('subject_identifiers')
      .values(rows.slice(start, start + sqlChunkSize))
      .onConflict((conflict) => conflict.columns(['blind_index', 'workspace_id']).doNothing())
      .execute()
  }
}

/** Adds an identifier unless it is already someone's; true when this call added it. */
export async function insertIdentifier(
  db: Database,
  row: SubjectIdentifiersTable,
): Promise<boolean> {
  const result = await db
    .insertInto('subject_identifiers')
    .values(row)
    .onConflict((conflict) => conflict.columns(['blind_index', 'workspace_id']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function selectIdentifiers(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Pick<SubjectIdentifiersTable, 'blind_index' | 'kind' | 'subject_id'>[]> {
  const rows: Pick<SubjectIdentifiersTable, 'blind_index' | 'kind' | 'subject_id'>[] = []
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    rows.push(
      ...(await db
        .selectFrom('subject_identifiers')
        .select(['blind_index', 'kind', 'subject_id'])
        .where('workspace_id', '=', workspaceId)
        .where('subject_id', 'in', subjectIds.slice(start, start + sqlChunkSize))
        .execute()),
    )
  }
  return rows
}

/**
 * Merges subjects into `intoId`: their identifiers now name it, and they (and anything
 * already merged into them) point at it. Nothing sealed moves: it stays under the keys
 * it was sealed with, which stay the person's key holders.
 */
export async function mergeSubjectRowsInto(
  db: Database,
  workspaceId: string,
  absorbedIds: readonly string[],
  intoId: string,
): Promise<void> {
  if (absorbedIds.length === 0) return
  await db
    .updateTable('subject_identifiers')
    .set({ subject_id: intoId })
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', absorbedIds)
    .execute()
  await db
    .updateTable('subjects')
    .set({ merged_into: intoId })
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', 'in', absorbedIds), eb('merged_into', 'in', absorbedIds)]))
    .execute()
}

/** The surviving subject of each of these ids (itself, or the one it was merged into). */
export async function selectSurvivingIds(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Map<string, string>> {
  const surviving = new Map<string, string>()
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const rows = await db
      .selectFrom('subjects')
      .select(['id', 'merged_into'])
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', subjectIds.slice(start, start + sqlChunkSize))
      .execute()
    for (const row of rows) surviving.set(row.id, row.merged_into ?? row.id)
  }
  return surviving
}

/** These surviving subjects and every subject merged into them, sorted. */
export async function selectLinkedIds(
  db: Database,
  workspaceId: string,
  survivingIds: readonly string[],
): Promise<string[]> {
  const ids = new Set<string>()
  for (let start = 0; start < survivingIds.length; start += sqlChunkSize) {
    const chunk = survivingIds.slice(start, start + sqlChunkSize)
    const rows = await db
      .selectFrom('subjects')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('id', 'in', chunk), eb('merged_into', 'in', chunk)]))
      .execute()
    for (const row of rows) ids.add(row.id)
  }
  return [...ids].sort()
}

/** The subjects' own rows (not those merged into them), for an erasure's plan. */
export async function countSubjectRows(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<{ subjects: number; subject_identifiers: number }> {
  const counts = { subjects: 0, subject_identifiers: 0 }
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    const subjects = await db
      .selectFrom('subjects')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', chunk)
      .executeTakeFirst()
    const identifiers = await db
      .selectFrom('subject_identifiers')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
      .executeTakeFirst()
    counts.subjects += Number(subjects?.count ?? 0)
    counts.subject_identifiers += Number(identifiers?.count ?? 0)
  }
  return counts
}

/** Erasure: these subjects and their identifiers. Their keys are destroyed by the caller. */
export async function deleteSubjectRows(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<{ subjects: number; subject_identifiers: number }> {
  const deleted = { subjects: 0, subject_identifiers: 0 }
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    const identifiers = await db
      .deleteFrom('subject_identifiers')
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
      .executeTakeFirst()
    const subjects = await db
      .deleteFrom('subjects')
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', chunk)
      .executeTakeFirst()
    deleted.subject_identifiers += Number(identifiers.numDeletedRows)
    deleted.subjects += Number(subjects.numDeletedRows)
  }
  return deleted
}

/** A subject made in this transaction that lost a race for its identifier. */
export async function deleteSubjectRow(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<void> {
  await db
    .deleteFrom('subjects')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
    .execute()
}
