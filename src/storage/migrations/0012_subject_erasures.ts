import type { Kysely } from 'kysely'

/**
 * The erasure record (Art. 17): one row per erasure of a person, holding the ids of
 * the key holders whose keys were destroyed and when each step happened, never an
 * identifier or a value. An erasure interrupted by a crash is finished from it, and a
 * backup restored from before the erasure is brought back in line by replaying it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subject_erasures')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('key_holders', 'text', (column) => column.notNull())
    .addColumn('requested_by', 'text', (column) => column.notNull())
    .addColumn('planned_at', 'text', (column) => column.notNull())
    .addColumn('keys_destroyed_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('outcome', 'text')
    .execute()
  await db.schema
    .createIndex('subject_erasures_open')
    .on('subject_erasures')
    .columns(['completed_at', 'planned_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('subject_erasures').execute()
}
