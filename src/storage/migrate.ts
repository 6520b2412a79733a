import { type MigrationResult, type MigrationResultSet, Migrator } from 'kysely'
import type { Storage } from './database.js'
import { migrations } from './migrations/index.js'

export interface MigrationReport {
  applied: string[]
  /** Every migration the schema now has, oldest first. */
  current: string[]
}

/**
 * Brings the schema to the latest version. Safe to run from several processes at once:
 * Kysely takes a lock (an advisory lock on PostgreSQL) around the whole run.
 */
export async function migrateToLatest(storage: Storage): Promise<MigrationReport> {
  const migrator = migratorOf(storage)
  return reportOf(migrator, await migrator.migrateToLatest())
}

/**
 * Brings the schema to exactly `target`, one of the names in `./migrations/index.ts`,
 * applying (or undoing) whatever lies between. The upgrade test uses it to rebuild the
 * schema an older release had before loading that release's data.
 */
export async function migrateTo(storage: Storage, target: string): Promise<MigrationReport> {
  if (!Object.hasOwn(migrations, target)) throw new Error(`No migration named ${target}`)
  const migrator = migratorOf(storage)
  return reportOf(migrator, await migrator.migrateTo(target))
}

function migratorOf(storage: Storage): Migrator {
  return new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => migrations },
    ...(storage.schema ? { migrationTableSchema: storage.schema } : {}),
  })
}

async function reportOf(
  migrator: Migrator,
  { error, results }: MigrationResultSet,
): Promise<MigrationReport> {
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName
    throw new Error(`Migration ${failed ?? '(setup)'} failed: ${describeError(error)}`, {
      cause: error,
    })
  }
  const applied = (results ?? [])
    .filter((result: MigrationResult) => result.status === 'Success')
    .map((result) => result.migrationName)
  const current = (await migrator.getMigrations())
    .filter((migration) => migration.executedAt !== undefined)
    .map((migration) => migration.name)
  return { applied, current }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
