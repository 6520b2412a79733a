import { sql } from 'kysely'
import type { Database } from '../storage/index.js'
import { padToSizeClass, reusableQuery } from '../storage/index.js'
import {
  subjectIdNamedBy,
  subjectsNamedBy,
  survivingSubjectIdOf,
  survivingSubjectsOf,
} from '../subjects/index.js'
import { sqlChunkSize } from './consent.repository.js'
import type { SubjectFlagColumns } from './consent.table.js'
import { decisionTupleOf, stateOf } from './ledger.rows.js'

/**
 * SQL for the decision's reads: one statement of primary-key look-ups per decision (or
 * per 500 decisions), whatever the length of the subject's history. Every function
 * takes the workspace id.
 */

/**
 * What `mayProcess` reads of the subject row: its flags and its state for the purpose
 * (`decision_states -> purpose`: decisionStateOf in ledger.rows.ts reads it); every
 * column null when the ledger does not know the subject.
 */
export interface DecisionRow extends SubjectFlagColumns {
  subject_id: string | null
  purpose_state: unknown
  /** The subject's event_seq, and the one its decision states were written at. */
  event_seq: number | null
  states_seq: number | null
}

export interface KeyedDecisionRow extends DecisionRow {
  blind_index: Buffer | null
}

/*
 * The purpose's state comes from the subject row itself, not from consent_states: one
 * B-tree search fewer per decision, and in a table a fifth the size (migration 0009).
 * The cast gives PostgreSQL the operand type it needs to choose `jsonb -> text`.
 */
const decisionColumns = (purpose: string) => sql`s.id as subject_id, s.restricted_at,
  s.automated_opt_out_at, s.gpc_at, s.declared_age, s.age_declared_at, s.parental_consent_at,
  s.decision_states -> cast(${purpose} as text) as purpose_state,
  s.event_seq, s.decision_states_seq as states_seq`

/** The purpose's stored rule beside the subject's row; null columns when either is absent. */
export interface SingleDecisionRow extends DecisionRow {
  purpose_basis: string | null
  purpose_direct_marketing: number | null
  purpose_automated_decisions: number | null
  purpose_min_policy_seq: number | null
}

const purposeRuleColumns = sql`p.lawful_basis as purpose_basis,
  p.direct_marketing as purpose_direct_marketing,
  p.automated_decisions as purpose_automated_decisions,
  p.min_policy_seq as purpose_min_policy_seq`

/*
 * Everything one decision reads, in one statement: the purpose's stored rule (absent
 * for an unchanged built-in purpose), the subject's flags and its state for the purpose.
 * Left joins from a one-row anchor, so the row exists even when nothing is known. The
 * decision is the hottest read there is, so each form is compiled once (reusableQuery).
 *
 * Which subject an identifier or an id names now is the subjects module's to say: its
 * fragments (subjects/subject-queries.ts) are embedded as scalar subqueries, which
 * both databases run once per statement, so the decision stays one statement of
 * primary-key look-ups without this module naming the subjects module's tables.
 */
const decisionBySubjectId = reusableQuery(
  (workspaceId: string, purpose: string, subjectId: string) =>
    // A subject id may name a subject since merged into another: the kept one decides.
    sql<SingleDecisionRow>`select ${decisionColumns(purpose)}, ${purposeRuleColumns}
    from (select 1 as anchor) a
    left join consent_purposes p on p.workspace_id = ${workspaceId} and p.name = ${purpose}
    left join consent_subjects s
      on s.workspace_id = ${workspaceId} and s.id = ${survivingSubjectIdOf(workspaceId, subjectId)}`,
)

const decisionByBlindIndex = reusableQuery(
  (workspaceId: string, purpose: string, blindIndex: Buffer) =>
    sql<SingleDecisionRow>`select ${decisionColumns(purpose)}, ${purposeRuleColumns}
    from (select 1 as anchor) a
    left join consent_purposes p on p.workspace_id = ${workspaceId} and p.name = ${purpose}
    left join consent_subjects s
      on s.workspace_id = ${workspaceId} and s.id = ${subjectIdNamedBy(workspaceId, blindIndex)}`,
)

/** The one row a single decision reads (see above), by subject id or by blind index. */
export async function selectDecisionRow(
  db: Database,
  workspaceId: string,
  purpose: string,
  subject: { subjectId: string } | { blindIndex: Buffer },
): Promise<SingleDecisionRow> {
  const rows =
    'subjectId' in subject
      ? await decisionBySubjectId.execute(db, workspaceId, purpose, subject.subjectId)
      : await decisionByBlindIndex.execute(db, workspaceId, purpose, subject.blindIndex)
  const row = (await withCurrentStates(db, workspaceId, purpose, rows))[0]
  if (row === undefined) throw new Error('The decision anchor returned no row')
  return row
}

const decisionsByIndexes = reusableQuery(
  (workspaceId: string, purpose: string, ...blindIndexes: Buffer[]) =>
    sql<KeyedDecisionRow>`select n.blind_index, ${decisionColumns(purpose)}
      from ${subjectsNamedBy(workspaceId, blindIndexes)} n
      join consent_subjects s on s.workspace_id = ${workspaceId} and s.id = n.subject_id`,
)

/** The decision rows of many subjects named by blind index, one statement per chunk. */
export function selectDecisionRowsByIndexes(
  db: Database,
  workspaceId: string,
  purpose: string,
  blindIndexes: readonly Buffer[],
): Promise<KeyedDecisionRow[]> {
  // An empty digest matches no identifier (every blind index is 32 bytes).
  return inPaddedChunks(blindIndexes, noBlindIndex, async (chunk) =>
    withCurrentStates(
      db,
      workspaceId,
      purpose,
      await decisionsByIndexes.execute(db, workspaceId, purpose, ...chunk),
    ),
  )
}

export interface RequestedDecisionRow extends DecisionRow {
  /** The subject id asked about; `subject_id` is the one that decides (after a link). */
  requested_id: string
}

const decisionsBySubjects = reusableQuery(
  (workspaceId: string, purpose: string, ...subjectIds: string[]) =>
    sql<RequestedDecisionRow>`select v.requested_id, ${decisionColumns(purpose)}
      from ${survivingSubjectsOf(workspaceId, subjectIds)} v
      join consent_subjects s on s.workspace_id = ${workspaceId} and s.id = v.subject_id`,
)

export function selectDecisionRowsBySubjects(
  db: Database,
  workspaceId: string,
  purpose: string,
  subjectIds: readonly string[],
): Promise<RequestedDecisionRow[]> {
  // The empty id names no subject.
  return inPaddedChunks(subjectIds, '', async (chunk) =>
    withCurrentStates(
      db,
      workspaceId,
      purpose,
      await decisionsBySubjects.execute(db, workspaceId, purpose, ...chunk),
    ),
  )
}

/**
 * The rows with each subject's state for the purpose as of its latest ledger event: a
 * subject whose decision states are behind its event_seq (code from before them
 * appended, see migration 0009) has it read from consent_states instead.
 */
async function withCurrentStates<Row extends DecisionRow>(
  db: Database,
  workspaceId: string,
  purpose: string,
  rows: Row[],
): Promise<Row[]> {
  const behind = rows.flatMap((row) =>
    row.subject_id !== null && row.states_seq !== row.event_seq ? [row.subject_id] : [],
  )
  if (behind.length === 0) return rows
  const states = await db
    .selectFrom('consent_states')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('purpose', '=', purpose)
    .where('subject_id', 'in', [...new Set(behind)])
    .execute()
  const bySubject = new Map(
    states.map((state) => [state.subject_id, decisionTupleOf(stateOf(state))]),
  )
  return rows.map((row) =>
    row.subject_id !== null && row.states_seq !== row.event_seq
      ? { ...row, purpose_state: bySubject.get(row.subject_id) ?? null }
      : row,
  )
}

/** Runs `select` on each chunk of at most sqlChunkSize values, padded to its size class. */
async function inPaddedChunks<T, Row>(
  values: readonly T[],
  filler: T,
  select: (chunk: T[]) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = []
  for (let start = 0; start < values.length; start += sqlChunkSize) {
    rows.push(...(await select(padToSizeClass(values.slice(start, start + sqlChunkSize), filler))))
  }
  return rows
}

const noBlindIndex = Buffer.alloc(0)
