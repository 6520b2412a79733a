import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

// The consent module: purposes and their lawful bases, policy versions, data subjects
// known by blind indexes only, the append-only ledger and its materialised state.
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  // The tables every decision reads are clustered on their key on SQLite: one b-tree
  // search per look-up instead of an index search and then a rowid search.
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``
  await db.schema
    .createTable('consent_purposes')
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('lawful_basis', 'text', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('data_categories', 'text', (column) => column.notNull())
    .addColumn('direct_marketing', 'integer', (column) => column.notNull())
    .addColumn('automated_decisions', 'integer', (column) => column.notNull())
    .addColumn('min_policy_seq', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_purposes_pk', ['workspace_id', 'name'])
    .modifyEnd(clustered)
    .execute()

  await db.schema
    .createTable('consent_policies')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('url', 'text', (column) => column.notNull())
    .addColumn('text', 'text')
    .addColumn('text_sha256', 'text')
    .addColumn('reconsent_purposes', 'text', (column) => column.notNull())
    .addColumn('published_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('consent_policies_version')
    .on('consent_policies')
    .columns(['workspace_id', 'version'])
    .unique()
    .execute()
  // Two publications racing for the same number: one of them fails, never both win.
  await db.schema
    .createIndex('consent_policies_seq')
    .on('consent_policies')
    .columns(['workspace_id', 'seq'])
    .unique()
    .execute()

  await db.schema
    .createTable('consent_subjects')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('merged_into', 'text')
    .addColumn('event_seq', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('restricted_at', 'text')
    .addColumn('automated_opt_out_at', 'text')
    .addColumn('gpc_at', 'text')
    .addColumn('declared_age', 'integer')
    .addColumn('age_declared_at', 'text')
    .addColumn('parental_consent_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .modifyEnd(clustered)
    .execute()
  // Only linked subjects are in it: a look-up by workspace alone must never find this
  // index attractive (without statistics SQLite would scan a whole workspace with it).
  await db.schema
    .createIndex('consent_subjects_merged')
    .on('consent_subjects')
    .column('merged_into')
    .where('merged_into', 'is not', null)
    .execute()

  // Keyed by the digest (digests of different kinds are domain-separated), first: a key
  // led by workspace_id would be what SQLite's planner picks for any per-workspace look-up.
  await db.schema
    .createTable('consent_subject_identifiers')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('blind_index', binary, (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull().references('consent_subjects.id'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_subject_identifiers_pk', ['blind_index', 'workspace_id'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createIndex('consent_subject_identifiers_subject')
    .on('consent_subject_identifiers')
    .columns(['subject_id', 'workspace_id'])
    .execute()

  await db.schema
    .createTable('consent_states')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull().references('consent_subjects.id'))
    .addColumn('purpose', 'text', (column) => column.notNull())
    .addColumn('granted', 'integer')
    .addColumn('decided_at', 'text')
    .addColumn('policy_id', 'text')
    .addColumn('policy_seq', 'integer')
    .addColumn('policy_version', 'text')
    .addColumn('objected_at', 'text')
    .addColumn('last_event_id', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_states_pk', ['workspace_id', 'subject_id', 'purpose'])
    .modifyEnd(clustered)
    .execute()

  await db.schema
    .createTable('consent_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull().references('consent_subjects.id'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('purpose', 'text')
    .addColumn('granted', 'integer')
    .addColumn('policy_id', 'text')
    .addColumn('policy_version', 'text')
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('gpc', 'integer', (column) => column.notNull())
    .addColumn('actor_type', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('recorded_at', 'text', (column) => column.notNull())
    .addColumn('ip', binary)
    .addColumn('user_agent', binary)
    .addColumn('evidence', binary)
    .execute()
  await db.schema
    .createIndex('consent_events_subject')
    .on('consent_events')
    .columns(['workspace_id', 'subject_id', 'seq'])
    .unique()
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'consent_events',
    'consent_states',
    'consent_subject_identifiers',
    'consent_subjects',
    'consent_policies',
    'consent_purposes',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
