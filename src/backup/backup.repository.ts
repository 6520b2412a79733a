import type { Database } from '../storage/index.js'
import { inWriteTransaction, isUniqueViolation } from '../storage/index.js'
import type {
  BackupDestinationsTable,
  BackupFileKind,
  BackupFilesTable,
  BackupSigningKeysTable,
} from './backup.table.js'

/** SQL of the backup module's own tables. They belong to the instance, not a workspace. */

export async function insertBackupFile(db: Database, row: BackupFilesTable): Promise<void> {
  await db.insertInto('backup_files').values(row).execute()
}

export async function markFileDeleted(db: Database, id: string, at: string): Promise<void> {
  await db
    .updateTable('backup_files')
    .set({ status: 'deleted', deleted_at: at })
    .where('id', '=', id)
    .execute()
}

/** Files not yet deleted, oldest first. */
export async function selectLiveFiles(
  db: Database,
  kind: BackupFileKind,
  directory?: string,
): Promise<BackupFilesTable[]> {
  let query = db
    .selectFrom('backup_files')
    .selectAll()
    .where('kind', '=', kind)
    .where('status', '!=', 'deleted')
  if (directory !== undefined) query = query.where('directory', '=', directory)
  return query.orderBy('started_at').orderBy('id').execute()
}

export async function selectFileByName(
  db: Database,
  directory: string,
  fileName: string,
): Promise<BackupFilesTable | undefined> {
  return db
    .selectFrom('backup_files')
    .selectAll()
    .where('directory', '=', directory)
    .where('file_name', '=', fileName)
    .executeTakeFirst()
}

export async function selectAllFiles(db: Database, limit: number): Promise<BackupFilesTable[]> {
  return db
    .selectFrom('backup_files')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** The newest good snapshot, for monitoring. */
export async function selectLastGood(db: Database): Promise<BackupFilesTable | undefined> {
  return db
    .selectFrom('backup_files')
    .selectAll()
    .where('kind', '=', 'snapshot')
    .where('status', 'in', ['good', 'deleted'])
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function selectLastFailed(db: Database): Promise<BackupFilesTable | undefined> {
  return db
    .selectFrom('backup_files')
    .selectAll()
    .where('kind', '=', 'snapshot')
    .where('status', '=', 'failed')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function upsertDestination(db: Database, row: BackupDestinationsTable): Promise<void> {
  await db
    .insertInto('backup_destinations')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('directory').doUpdateSet({
        region: row.region,
        recipient_keys: row.recipient_keys,
        updated_at: row.updated_at,
      }),
    )
    .execute()
}

export async function selectDestinations(db: Database): Promise<BackupDestinationsTable[]> {
  return db.selectFrom('backup_destinations').selectAll().orderBy('directory').execute()
}

export async function selectSigningKeys(db: Database): Promise<BackupSigningKeysTable[]> {
  return db.selectFrom('backup_signing_keys').selectAll().orderBy('created_at').execute()
}

export async function insertSigningKeyUnlessActive(
  db: Database,
  row: BackupSigningKeysTable,
): Promise<void> {
  // One active key: a second process racing to make one inserts nothing.
  await inWriteTransaction(db, async (trx) => {
    const active = await trx
      .selectFrom('backup_signing_keys')
      .select('id')
      .where('status', '=', 'active')
      .executeTakeFirst()
    if (active === undefined) await trx.insertInto('backup_signing_keys').values(row).execute()
  }).catch((error: unknown) => {
    if (!isUniqueViolation(error)) throw error
  })
}
