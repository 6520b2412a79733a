import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('key_check')
    .addColumn('slot', 'text', (column) => column.primaryKey())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('canary', binary, (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()

  await db.schema
    .createTable('workspace_keys')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('wrapped_key', binary)
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('retired_at', 'text')
    .addPrimaryKeyConstraint('workspace_keys_pk', ['workspace_id', 'version'])
    .execute()
  // The database itself refuses a second active version, even from racing nodes.
  await db.schema
    .createIndex('workspace_keys_one_active')
    .on('workspace_keys')
    .column('workspace_id')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute()

  // One row per subject and version, looked up by its key: on SQLite the table is
  // its primary key (WITHOUT ROWID), which halves the B-trees written per new subject.
  const subjectKeys = db.schema
    .createTable('subject_keys')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('wrapped_key', binary, (column) => column.notNull())
    .addColumn('workspace_key_version', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('subject_keys_pk', ['workspace_id', 'subject_id', 'version'])
  await (
    dialectOf(db) === 'sqlite' ? subjectKeys.modifyEnd(sql`without rowid`) : subjectKeys
  ).execute()
  // Rotation finds the keys still wrapped under an old workspace key version.
  await db.schema
    .createIndex('subject_keys_by_workspace_key')
    .on('subject_keys')
    .columns(['workspace_id', 'workspace_key_version'])
    .execute()

  await db.schema
    .createTable('blind_index_keys')
    .addColumn('workspace_id', 'text', (column) => column.primaryKey())
    .addColumn('wrapped_key', binary, (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('blind_index_keys').execute()
  await db.schema.dropTable('subject_keys').execute()
  await db.schema.dropTable('workspace_keys').execute()
  await db.schema.dropTable('key_check').execute()
}
