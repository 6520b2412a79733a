import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

// CRM profiles of a workspace's end-users. Everything personal is in `profile`, one
// sealed envelope per contact; look-ups go through blind indexes.
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('email_index', binary)
    .addColumn('external_id_index', binary)
    .addColumn('profile', binary, (column) => column.notNull())
    .addColumn('last_activity_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('contacts_email_per_workspace')
    .on('contacts')
    .columns(['workspace_id', 'email_index'])
    .unique()
    .execute()
  await db.schema
    .createIndex('contacts_external_id_per_workspace')
    .on('contacts')
    .columns(['workspace_id', 'external_id_index'])
    .unique()
    .execute()
  await db.schema
    .createIndex('contacts_page')
    .on('contacts')
    .columns(['workspace_id', 'id'])
    .execute()

  // The type each custom attribute took when first seen: later values must match it.
  await db.schema
    .createTable('contact_attributes')
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('contact_attributes_pk', ['workspace_id', 'name'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('contact_attributes').execute()
  await db.schema.dropTable('contacts').execute()
}
