import type { Kysely } from 'kysely'

/**
 * The sub-processor registry (transfers/subprocessors.table.ts). A workspace's seeded
 * defaults are unique per workspace, so seeding twice, or from two processes at once,
 * inserts each once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subprocessors')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.references('workspaces.id'))
    .addColumn('seed_key', 'text')
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('subprocessors_seeds')
    .on('subprocessors')
    .columns(['workspace_id', 'seed_key'])
    .unique()
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('subprocessors').execute()
}
