import type { Database } from '../storage/index.js'
import { locksRows } from '../storage/index.js'
import type {
  ConsentEventsTable,
  ConsentStatesTable,
  ConsentSubjectsTable,
} from './consent.table.js'

/**
 * SQL for the consent standing of subjects, the ledger and its state. Every function
 * takes the workspace id. Which subject an identifier names, and which subjects are one
 * person, is the subjects module's: asked through its index, never its tables.
 */

// Keeps each statement well under SQLite's and PostgreSQL's bound-parameter limits.
export const sqlChunkSize = 500

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

/**
 * The consent part of a merge (the subjects module moves the identifiers and points the
 * subjects at the kept one): the absorbed subjects' states now count only as part of the
 * kept subject's, which the caller writes. Their ledger rows stay where they are, sealed
 * under their own keys, and show in the kept subject's history.
 */
export async function foldStatesOf(
  db: Database,
  workspaceId: string,
  absorbedIds: readonly string[],
  now: string,
): Promise<void> {
  if (absorbedIds.length === 0) return
  await db
    .updateTable('consent_subjects')
    .set({ decision_states: null, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', absorbedIds)
    .execute()
  await db
    .deleteFrom('consent_states')
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', absorbedIds)
    .execute()
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

/** Rows per table of these subjects (their own rows, not those merged into them). */
export async function countSubjectRows(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Record<ConsentSubjectTable, number>> {
  const counts: Record<ConsentSubjectTable, number> = {
    consent_subjects: 0,
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

const consentSubjectTables = ['consent_events', 'consent_states', 'consent_subjects'] as const
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
