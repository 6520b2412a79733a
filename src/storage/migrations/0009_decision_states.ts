import { type Kysely, sql } from 'kysely'
import { dialectOf } from '../column-types.js'

/**
 * Each consent subject carries, beside its flags, what a decision needs of its state per
 * purpose: `{ purpose: [granted, decidedAt, policySeq, objectedAt] }` (see
 * consent/ledger.rows.ts). The consent decision then reads one subject row instead of
 * searching consent_states too, the hottest read there is. `consent_states` stays the
 * record of each purpose's state; the ledger writes both in one transaction.
 *
 * JSON text on SQLite and jsonb on PostgreSQL, so `decision_states -> 'purpose'` picks
 * one purpose's state in the database on both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  await db.schema
    .alterTable('consent_subjects')
    .addColumn('decision_states', postgres ? 'jsonb' : 'text')
    .execute()
  const states = postgres
    ? sql`jsonb_object_agg(st.purpose,
        jsonb_build_array(st.granted, st.decided_at, st.policy_seq, st.objected_at))`
    : sql`json_group_object(st.purpose,
        json_array(st.granted, st.decided_at, st.policy_seq, st.objected_at))`
  await sql`update consent_subjects set decision_states = (
      select ${states} from consent_states st
      where st.workspace_id = consent_subjects.workspace_id
        and st.subject_id = consent_subjects.id)
    where exists (select 1 from consent_states st
      where st.workspace_id = consent_subjects.workspace_id
        and st.subject_id = consent_subjects.id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent_subjects').dropColumn('decision_states').execute()
}
