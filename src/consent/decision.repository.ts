import { sql } from 'kysely'
import type { Database } from '../storage/index.js'
import { reusableQuery } from '../storage/index.js'
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
 */
const decisionBySubjectId = reusableQuery(
  (workspaceId: string, purpose: string, subjectId: string) =>
    // A subject id may name a subject since linked into another: the kept one decides.
    sql<SingleDecisionRow>`select ${decisionColumns(purpose)}, ${purposeRuleColumns}
    from (select 1 as anchor) a
    left join consent_purposes p on p.workspace_id = ${workspaceId} and p.name = ${purpose}
    left join consent_subjects s0 on s0.workspace_id = ${workspaceId} and s0.id = ${subjectId}
    left join consent_subjects s
      on s.workspace_id = s0.workspace_id and s.id = coalesce(s0.merged_into, s0.id)`,
)

const decisionByBlindIndex = reusableQuery(
  (workspaceId: string, purpose: string, blindIndex: Buffer) =>
    sql<SingleDecisionRow>`select ${decisionColumns(purpose)}, ${purposeRuleColumns}
    from (select 1 as anchor) a
    left join consent_purposes p on p.workspace_id = ${workspaceId} and p.name = ${purpose}
    left join consent_subject_identifiers i
      on i.workspace_id = ${workspaceId} and i.blind_index = ${blindIndex}
    left join consent_subjects s on s.workspace_id = i.workspace_id and s.id = i.subject_id`,
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
    sql<KeyedDecisionRow>`select i.blind_index, ${decisionColumns(purpose)}
      from consent_subject_identifiers i
      join consent_subjects s on s.workspace_id = i.workspace_id and s.id = i.subject_id
      where i.workspace_id = ${workspaceId} and i.blind_index in (${sql.join(blindIndexes)})`,
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
    sql<RequestedDecisionRow>`select s0.id as requested_id, ${decisionColumns(purpose)}
      from consent_subjects s0
      join consent_subjects s
        on s.workspace_id = s0.workspace_id and s.id = coalesce(s0.merged_into, s0.id)
      where s0.workspace_id = ${workspaceId} and s0.id in (${sql.join(subjectIds)})`,
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

const externalIdIndexesBySubjects = reusableQuery(
  (workspaceId: string, ...subjectIds: string[]) =>
    sql<{ subject_id: string; blind_index: Buffer }>`select s.id as subject_id, i.blind_index
      from consent_subjects s
      join consent_subject_identifiers i
        on i.workspace_id = s.workspace_id and i.subject_id = coalesce(s.merged_into, s.id)
      where s.workspace_id = ${workspaceId} and s.id in (${sql.join(subjectIds)})
        and i.kind = 'external_id'`,
)

/**
 * The external id's blind index of each of these subjects that has one, keyed by the id
 * asked about (a subject linked into another answers with the kept one's). Asked on
 * every ingest request, beside its decisions, so built the same way.
 */
export async function selectExternalIdIndexes(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Map<string, Buffer>> {
  const rows = await inPaddedChunks(subjectIds, '', (chunk) =>
    externalIdIndexesBySubjects.execute(db, workspaceId, ...chunk),
  )
  return new Map(rows.map((row) => [row.subject_id, row.blind_index]))
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

/**
 * A chunk padded with a value that matches no row up to the next size class (1, 2, 4 …
 * 256, then the chunk size), so each batch statement has ten texts, not one per length:
 * batches of every size would otherwise fill the prepared-statement cache.
 */
export function padToSizeClass<T>(chunk: readonly T[], filler: T): T[] {
  let size = 1
  while (size < chunk.length && size < 256) size *= 2
  if (chunk.length > size) size = Math.max(chunk.length, sqlChunkSize)
  const padded = chunk.slice()
  while (padded.length < size) padded.push(filler)
  return padded
}
