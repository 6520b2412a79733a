import { type MigrationResult, Migrator } from 'kysely'
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
  const migrator = new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => migrations },
    ...(storage.schema ? { migrationTableSchema: storage.schema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
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
