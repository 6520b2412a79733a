import { type Kysely, sql } from 'kysely'
import { dialectOf } from '../column-types.js'

/**
 * Each consent subject carries, beside its flags, what a decision needs of its state per
 * purpose: `{ purpose: [granted, decidedAt, policySeq, objectedAt] }` (see
 * consent/ledger.rows.ts). The consent decision then reads one subject row instead of
 * searching consent_states too, the hottest read there is. `consent_states` stays the
 * record of each purpose's state; the ledger writes both in one transaction.
 *
 * `decision_states_seq` is the `event_seq` the states were written at. A server still
 * on the code before this migration (`migrate` may run next to it, or in a rolling
 * restart) appends without writing them: the subject's `event_seq` then moves past the
 * stamp, and decisions read consent_states for that subject until its next append.
 *
 * JSON text on SQLite and jsonb on PostgreSQL, so `decision_states -> 'purpose'` picks
 * one purpose's state in the database on both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  const states = postgres
    ? sql`jsonb_object_agg(st.purpose,
        jsonb_build_array(st.granted, st.decided_at, st.policy_seq, st.objected_at))`
    : sql`json_group_object(st.purpose,
        json_array(st.granted, st.decided_at, st.policy_seq, st.objected_at))`
  const migrate = async (trx: Kysely<unknown>) => {
    await trx.schema
      .alterTable('consent_subjects')
      .addColumn('decision_states', postgres ? 'jsonb' : 'text')
      .execute()
    await trx.schema
      .alterTable('consent_subjects')
      .addColumn('decision_states_seq', 'integer')
      .execute()
    await sql`update consent_subjects set decision_states_seq = event_seq,
      decision_states = (
        select ${states} from consent_states st
        where st.workspace_id = consent_subjects.workspace_id
          and st.subject_id = consent_subjects.id)`.execute(trx)
  }
  // PostgreSQL runs each migration in a transaction already; on SQLite the migrator does
  // not, and a backfill failing after the columns were added would leave a schema that
  // every retry of this migration then trips over.
  if (postgres) await migrate(db)
  else await db.transaction().execute(migrate)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['decision_states_seq', 'decision_states']) {
    await db.schema.alterTable('consent_subjects').dropColumn(column).execute()
  }
}
