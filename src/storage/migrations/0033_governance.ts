import type { Kysely } from 'kysely'

/**
 * Governance (governance/): a workspace's own data map categories, and its DPIA register
 * (the instance's own DPIA seeded once per workspace; reviews found by their due date).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_map_extensions')
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('category', 'text', (column) => column.notNull())
    .addColumn('entry', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('data_map_extensions_pk', ['workspace_id', 'category'])
    .execute()
  await db.schema
    .createTable('dpias')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('seed_key', 'text')
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('sign_off', 'text')
    .addColumn('review_due_on', 'text', (column) => column.notNull())
    .addColumn('reminded_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('dpias_seeds')
    .on('dpias')
    .columns(['workspace_id', 'seed_key'])
    .unique()
    .execute()
  await db.schema.createIndex('dpias_reviews').on('dpias').column('review_due_on').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dpias').execute()
  await db.schema.dropTable('data_map_extensions').execute()
}
