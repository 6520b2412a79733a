import { sql } from 'kysely'
import type { Database } from '../storage/database.js'
import { locksRows } from '../storage/write-transaction.js'
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
  await db.insertInto('consent_subjects').values(row).execute()
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
  changes: Partial<Omit<ConsentSubjectsTable, 'id' | 'workspace_id' | 'created_at'>>,
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
    .onConflict((conflict) => conflict.columns(['workspace_id', 'blind_index']).doNothing())
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
    .set({ merged_into: intoId, updated_at: now })
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

/** Erasure: every row of these subjects, ledger included. Their keys are shredded by the caller. */
export async function deleteSubjects(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<{ events: number }> {
  let events = 0
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    const deleted = await db
      .deleteFrom('consent_events')
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
      .executeTakeFirst()
    events += Number(deleted.numDeletedRows)
    for (const table of ['consent_states', 'consent_subject_identifiers'] as const) {
      await db
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('subject_id', 'in', chunk)
        .execute()
    }
    await db
      .deleteFrom('consent_subjects')
      .where('workspace_id', '=', workspaceId)
      .where('id', 'in', chunk)
      .execute()
  }
  return { events }
}

// ---- the decision's reads: one statement, whatever the length of the history ----

/** What `mayProcess` reads: the subject's flags and its state for the purpose, joined. */
export interface DecisionRow {
  subject_id: string | null
  restricted_at: string | null
  automated_opt_out_at: string | null
  gpc_at: string | null
  declared_age: number | null
  age_declared_at: string | null
  parental_consent_at: string | null
  granted: number | null
  decided_at: string | null
  policy_seq: number | null
  objected_at: string | null
}

export interface KeyedDecisionRow extends DecisionRow {
  blind_index: Buffer | null
}

const decisionColumns = sql`s.id as subject_id, s.restricted_at, s.automated_opt_out_at,
  s.gpc_at, s.declared_age, s.age_declared_at, s.parental_consent_at,
  st.granted, st.decided_at, st.policy_seq, st.objected_at`

/** The purpose's stored rule beside the subject's row; null columns when either is absent. */
export interface SingleDecisionRow extends DecisionRow {
  purpose_basis: string | null
  purpose_direct_marketing: number | null
  purpose_automated_decisions: number | null
  purpose_min_policy_seq: number | null
}

/**
 * Everything one decision reads, in one statement: the purpose's stored rule (absent
 * for an unchanged built-in purpose), the subject's flags and its state for the purpose.
 * Left joins from a one-row anchor, so the row exists even when nothing is known.
 */
export async function selectDecisionRow(
  db: Database,
  workspaceId: string,
  purpose: string,
  subject: { subjectId: string } | { blindIndex: Buffer },
): Promise<SingleDecisionRow> {
  // A subject id may name a subject since linked into another: the kept one decides.
  const subjectJoin =
    'subjectId' in subject
      ? sql`left join consent_subjects s0
          on s0.workspace_id = ${workspaceId} and s0.id = ${subject.subjectId}
        left join consent_subjects s
          on s.workspace_id = s0.workspace_id and s.id = coalesce(s0.merged_into, s0.id)`
      : sql`left join consent_subject_identifiers i
          on i.workspace_id = ${workspaceId} and i.blind_index = ${subject.blindIndex}
        left join consent_subjects s on s.workspace_id = i.workspace_id and s.id = i.subject_id`
  const result = await sql<SingleDecisionRow>`select ${decisionColumns},
      p.lawful_basis as purpose_basis, p.direct_marketing as purpose_direct_marketing,
      p.automated_decisions as purpose_automated_decisions,
      p.min_policy_seq as purpose_min_policy_seq
    from (select 1 as anchor) a
    left join consent_purposes p on p.workspace_id = ${workspaceId} and p.name = ${purpose}
    ${subjectJoin}
    left join consent_states st
      on st.workspace_id = s.workspace_id and st.subject_id = s.id and st.purpose = ${purpose}`.execute(
    db,
  )
  const row = result.rows[0]
  if (row === undefined) throw new Error('The decision anchor returned no row')
  return row
}

/** The decision rows of many subjects named by blind index, one statement per chunk. */
export async function selectDecisionRowsByIndexes(
  db: Database,
  workspaceId: string,
  purpose: string,
  blindIndexes: readonly Buffer[],
): Promise<KeyedDecisionRow[]> {
  const rows: KeyedDecisionRow[] = []
  for (let start = 0; start < blindIndexes.length; start += sqlChunkSize) {
    const chunk = blindIndexes.slice(start, start + sqlChunkSize)
    const result = await sql<KeyedDecisionRow>`select i.blind_index, ${decisionColumns}
      from consent_subject_identifiers i
      join consent_subjects s on s.workspace_id = i.workspace_id and s.id = i.subject_id
      left join consent_states st
        on st.workspace_id = s.workspace_id and st.subject_id = s.id and st.purpose = ${purpose}
      where i.workspace_id = ${workspaceId} and i.blind_index in (${sql.join(chunk)})`.execute(db)
    rows.push(...result.rows)
  }
  return rows
}

export interface RequestedDecisionRow extends DecisionRow {
  /** The subject id asked about; `subject_id` is the one that decides (after a link). */
  requested_id: string
}

export async function selectDecisionRowsBySubjects(
  db: Database,
  workspaceId: string,
  purpose: string,
  subjectIds: readonly string[],
): Promise<RequestedDecisionRow[]> {
  const rows: RequestedDecisionRow[] = []
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    const result = await sql<RequestedDecisionRow>`select s0.id as requested_id, ${decisionColumns}
      from consent_subjects s0
      join consent_subjects s
        on s.workspace_id = s0.workspace_id and s.id = coalesce(s0.merged_into, s0.id)
      left join consent_states st
        on st.workspace_id = s.workspace_id and st.subject_id = s.id and st.purpose = ${purpose}
      where s0.workspace_id = ${workspaceId} and s0.id in (${sql.join(chunk)})`.execute(db)
    rows.push(...result.rows)
  }
  return rows
}
