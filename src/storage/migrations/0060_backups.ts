import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

/**
 * Backups (src/backup): the files written (snapshots and key vaults) with their sizes,
 * digests and times; the destinations with their recipients, so the vault job can
 * rewrite a vault after an erasure; the instance's OpenPGP signing key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = dialectOf(db) === 'postgres' ? 'bigint' : 'integer'
  await db.schema
    .createTable('backup_files')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('directory', 'text', (column) => column.notNull())
    .addColumn('file_name', 'text', (column) => column.notNull())
    .addColumn('dialect', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('size_bytes', big)
    .addColumn('payload_bytes', big)
    .addColumn('payload_sha256', 'text')
    .addColumn('signed_by', 'text')
    .addColumn('recipients', 'text', (column) => column.notNull())
    .addColumn('region', 'text', (column) => column.notNull())
    .addColumn('deleted_at', 'text')
    .execute()
  await db.schema
    .createIndex('backup_files_by_status')
    .on('backup_files')
    .columns(['kind', 'status', 'started_at'])
    .execute()
  await db.schema
    .createTable('backup_destinations')
    .addColumn('directory', 'text', (column) => column.primaryKey())
    .addColumn('region', 'text', (column) => column.notNull())
    .addColumn('recipient_keys', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createTable('backup_signing_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('public_key', 'text', (column) => column.notNull())
    .addColumn('private_key', binaryColumnType(db), (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
  // One active signing key, even when two processes make one at once.
  await db.schema
    .createIndex('backup_signing_keys_one_active')
    .on('backup_signing_keys')
    .column('status')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('backup_signing_keys').execute()
  await db.schema.dropTable('backup_destinations').execute()
  await db.schema.dropTable('backup_files').execute()
}
