import type { Kysely } from 'kysely'

/** Governance (governance/): a workspace's own data map categories. */
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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('data_map_extensions').execute()
}
