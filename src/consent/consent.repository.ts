import type { Database } from '../storage/index.js'
import { locksRows } from '../storage/index.js'
import type {
  ConsentEventsTable,
  ConsentStatesTable,
  ConsentSubjectIdentifiersTable,
  ConsentSubjectsTable,
} from './consent.table.js'

/** SQL for data subjects, their identifiers, the ledger and its state. Every function takes the workspace id. */

// Keeps each statement well under SQLite's and PostgreSQL's bound-parameter limits.
export const sqlChunkSize = 500

export async function findSubjectIdByIndex(
  db: Database,
  workspaceId: string,
  blindIndex: Buffer,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('consent_subject_identifiers')
    .select('subject_id')
    .where('workspace_id', '=', workspaceId)
    .where('blind_index', '=', blindIndex)
    .executeTakeFirst()
  return row?.subject_id
}

/** The subject row; `lock` holds it (PostgreSQL) until the transaction ends. */
export async function selectSubject(
  db: Database,
  workspaceId: string,
  subjectId: string,
  lock = false,
): Promise<ConsentSubjectsTable | undefined> {
  let query = db
    .selectFrom('consent_subjects')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
  if (lock && locksRows(db)) query = query.forUpdate()
  return query.executeTakeFirst()
}

export async function insertSubject(db: Database, row: ConsentSubjectsTable): Promise<void> {
  // No states yet, and the decision may trust that: they are current at its event_seq.
  await db
    .insertInto('consent_subjects')
    .values({ ...row, decision_states: null, decision_states_seq: row.event_seq })
    .execute()
}

export async function deleteSubjectRow(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<void> {
  await db
    .deleteFrom('consent_subjects')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
    .execute()
}

export async function updateSubject(
  db: Database,
  workspaceId: string,
  subjectId: string,
  changes: Partial<Omit<ConsentSubjectsTable, 'id' | 'workspace_id' | 'created_at'>> & {
    decision_states?: string
    decision_states_seq?: number
  },
): Promise<void> {
  await db
    .updateTable('consent_subjects')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
    .execute()
}

/** Adds an identifier unless it is already someone's; true when this call added it. */
export async function insertIdentifier(
  db: Database,
  row: ConsentSubjectIdentifiersTable,
): Promise<boolean> {
  const result = await db
    .insertInto('consent_subject_identifiers')
    .values(row)
    .onConflict((conflict) => conflict.columns(['blind_index', 'workspace_id']).doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function selectIdentifiers(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Pick<ConsentSubjectIdentifiersTable, 'blind_index' | 'kind' | 'subject_id'>[]> {
  if (subjectIds.length === 0) return []
  return db
    .selectFrom('consent_subject_identifiers')
    .select(['blind_index', 'kind', 'subject_id'])
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', subjectIds)
    .execute()
}

/**
 * Links subjects into `intoId`: their identifiers now name it, and they (and anything
 * already merged into them) point at it. Their ledger rows stay where they are, sealed
 * under their own keys.
 */
export async function mergeSubjectsInto(
  db: Database,
  workspaceId: string,
  absorbedIds: readonly string[],
  intoId: string,
  now: string,
): Promise<void> {
  if (absorbedIds.length === 0) return
  await db
    .updateTable('consent_subject_identifiers')
    .set({ subject_id: intoId })
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', absorbedIds)
    .execute()
  await db
    .updateTable('consent_subjects')
    // Their states now count only as part of the kept subject's (the caller writes it).
    .set({ merged_into: intoId, decision_states: null, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', 'in', absorbedIds), eb('merged_into', 'in', absorbedIds)]))
    .execute()
  await db
    .deleteFrom('consent_states')
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', absorbedIds)
    .execute()
}

/** The subject and every subject linked into it: the ids its ledger rows are under. */
export async function selectLinkedSubjectIds(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('consent_subjects')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', subjectId), eb('merged_into', '=', subjectId)]))
    .orderBy('id')
    .execute()
  return rows.map((row) => row.id)
}

export async function selectStates(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<ConsentStatesTable[]> {
  return db
    .selectFrom('consent_states')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', '=', subjectId)
    .orderBy('purpose')
    .execute()
}

export async function upsertStates(
  db: Database,
  rows: readonly ConsentStatesTable[],
): Promise<void> {
  for (const row of rows) {
    const changes = {
      granted: row.granted,
      decided_at: row.decided_at,
      policy_id: row.policy_id,
      policy_seq: row.policy_seq,
      policy_version: row.policy_version,
      objected_at: row.objected_at,
      last_event_id: row.last_event_id,
      updated_at: row.updated_at,
    }
    await db
      .insertInto('consent_states')
      .values(row)
      .onConflict((conflict) =>
        conflict.columns(['workspace_id', 'subject_id', 'purpose']).doUpdateSet(changes),
      )
      .execute()
  }
}

export async function insertEvents(
  db: Database,
  rows: readonly ConsentEventsTable[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 25) {
    await db
      .insertInto('consent_events')
      .values(rows.slice(start, start + 25))
      .execute()
  }
}

/** The newest ledger rows of these subjects first, at most `limit`. */
export async function selectEvents(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
  limit: number,
): Promise<ConsentEventsTable[]> {
  if (subjectIds.length === 0) return []
  return db
    .selectFrom('consent_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', subjectIds)
    .orderBy('recorded_at', 'desc')
    .orderBy('subject_id', 'desc')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute()
}

export async function countEvents(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<number> {
  if (subjectIds.length === 0) return 0
  const row = await db
    .selectFrom('consent_events')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', subjectIds)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

export async function selectEvent(
  db: Database,
  workspaceId: string,
  eventId: string,
): Promise<ConsentEventsTable | undefined> {
  return db
    .selectFrom('consent_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', eventId)
    .executeTakeFirst()
}

/** The subject a (possibly linked-away) subject now belongs to. */
export async function selectCanonicalSubjectId(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('consent_subjects')
    .select(['id', 'merged_into'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', subjectId)
    .executeTakeFirst()
  return row === undefined ? undefined : (row.merged_into ?? row.id)
}

/** The subjects these blind indexes name (as stored: linked-away ones included). */
export async function findSubjectIdsByIndexes(
  db: Database,
  workspaceId: string,
  blindIndexes: readonly Buffer[],
): Promise<string[]> {
  const ids = new Set<string>()
  for (let start = 0; start < blindIndexes.length; start += sqlChunkSize) {
    const rows = await db
      .selectFrom('consent_subject_identifiers')
      .select('subject_id')
      .where('workspace_id', '=', workspaceId)
      .where('blind_index', 'in', blindIndexes.slice(start, start + sqlChunkSize))
      .execute()
    for (const row of rows) ids.add(row.subject_id)
  }
  return [...ids]
}

/** Rows per table of these subjects (their own rows, not those merged into them). */
export async function countSubjectRows(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Record<ConsentSubjectTable, number>> {
  const counts: Record<ConsentSubjectTable, number> = {
    consent_subjects: 0,
    consent_subject_identifiers: 0,
    consent_states: 0,
    consent_events: 0,
  }
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    for (const table of consentSubjectTables) {
      const column = table === 'consent_subjects' ? 'id' : 'subject_id'
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('count'))
        .where('workspace_id', '=', workspaceId)
        .where(column, 'in', chunk)
        .executeTakeFirst()
      counts[table] += Number(row?.count ?? 0)
    }
  }
  return counts
}

const consentSubjectTables = [
  'consent_events',
  'consent_states',
  'consent_subject_identifiers',
  'consent_subjects',
] as const
type ConsentSubjectTable = (typeof consentSubjectTables)[number]

/**
 * Erasure: every row of these subjects, ledger included, children first. Their keys are
 * shredded by the caller. Returns the rows deleted per table.
 */
export async function deleteSubjects(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Record<ConsentSubjectTable, number>> {
  const deleted: Record<ConsentSubjectTable, number> = {
    consent_subjects: 0,
    consent_subject_identifiers: 0,
    consent_states: 0,
    consent_events: 0,
  }
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    for (const table of consentSubjectTables) {
      const result = await db
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where(table === 'consent_subjects' ? 'id' : 'subject_id', 'in', chunk)
        .executeTakeFirst()
      deleted[table] += Number(result.numDeletedRows)
    }
  }
  return deleted
}
