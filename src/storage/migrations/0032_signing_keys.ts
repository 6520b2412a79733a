import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * Workspace signing keys (signing/signing.table.ts). A workspace has one current key at
 * a time: the partial unique index holds that across processes that race to make it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspace_signing_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('kid', 'text', (column) => column.notNull().unique())
    .addColumn('algorithm', 'text', (column) => column.notNull())
    .addColumn('public_jwk', 'text', (column) => column.notNull())
    .addColumn('private_key', binaryColumnType(db), (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('retired_at', 'text')
    .execute()
  await db.schema
    .createIndex('workspace_signing_keys_current')
    .on('workspace_signing_keys')
    .column('workspace_id')
    .unique()
    .where(sql.ref('retired_at'), 'is', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('workspace_signing_keys').execute()
}
