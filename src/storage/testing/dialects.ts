import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe } from 'node:test'
import pg from 'pg'
import type { DialectName, Storage } from '../database.js'
import { migrateToLatest } from '../migrate.js'
import { openPostgres } from '../postgres.js'
import { openSqlite } from '../sqlite.js'

/**
 * Runs the same storage-facing tests on both dialects: SQLite in a fresh temporary
 * directory, PostgreSQL in a fresh schema made for the test file and dropped after it.
 *
 * PostgreSQL comes from TEST_DATABASE_URL (default: the local `test` database). When it
 * cannot be reached the PostgreSQL suite is skipped on a developer's machine, but under
 * CI=true it fails: a green CI must mean both dialects ran.
 */
export const testDatabaseUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const postgresProblem = await probePostgres(testDatabaseUrl)
const mustRunPostgres = process.env.CI === 'true' || process.env.CI === '1'

export interface DialectContext {
  readonly dialect: DialectName
  /** The migrated store for this test file; valid from the first test on. */
  storage(): Storage
}

export const testDialects = ['sqlite', 'postgres'] as const

/** Why a dialect's suite is skipped here (a string), or false when it runs. */
export function dialectSkip(dialect: DialectName): string | false {
  return dialect === 'postgres' && postgresProblem !== undefined && !mustRunPostgres
    ? `PostgreSQL unreachable (${postgresProblem}); set TEST_DATABASE_URL or start it`
    : false
}

export function describeEachDialect(
  title: string,
  define: (context: DialectContext) => void,
): void {
  for (const dialect of testDialects) describeOn(dialect, `${title} [${dialect}]`, define)
}

/** Tests of what only PostgreSQL has (LISTEN, say), with the same store and rules. */
export function describePostgres(title: string, define: (context: DialectContext) => void): void {
  describeOn('postgres', title, define)
}

function describeOn(
  dialect: DialectName,
  title: string,
  define: (context: DialectContext) => void,
): void {
  void describe(title, { skip: dialectSkip(dialect) }, () => {
    let open: Storage | undefined
    let cleanup = async (): Promise<void> => {}
    before(async () => {
      const made = await openTestStorage(dialect)
      open = made.storage
      cleanup = made.cleanup
    })
    after(async () => {
      await cleanup()
    })
    define({
      dialect,
      storage() {
        if (open === undefined) throw new Error('storage is not open yet')
        return open
      },
    })
  })
}

/** A fresh, migrated store of the given dialect and a function that removes it again. */
export async function openTestStorage(
  dialect: DialectName,
): Promise<{ storage: Storage; cleanup: () => Promise<void> }> {
  const made = await openEmptyTestStorage(dialect)
  try {
    await migrateToLatest(made.storage)
  } catch (error) {
    await made.cleanup()
    throw error
  }
  return made
}

/**
 * A fresh store with no schema at all, for tests that choose how far to migrate it (the
 * upgrade test rebuilds an older release's schema), and a function that removes it.
 */
export async function openEmptyTestStorage(
  dialect: DialectName,
): Promise<{ storage: Storage; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-test-'))
    const storage = openSqlite(dir)
    return {
      storage,
      async cleanup() {
        await storage.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (postgresProblem !== undefined) {
    throw new Error(`PostgreSQL is required (CI=true) but unreachable: ${postgresProblem}`)
  }
  const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await runAdmin(`CREATE SCHEMA ${schema}`)
  const storage = openPostgres({ connectionString: testDatabaseUrl, schema, maxConnections: 4 })
  return {
    storage,
    async cleanup() {
      await storage.close()
      await runAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    },
  }
}

async function runAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function probePostgres(connectionString: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => {})
  }
}

/** A second, independent handle on the same database: what another process would have. */
export function openSecondHandle(storage: Storage): Storage {
  if (storage.dialect === 'sqlite') return openSqlite(dirname(storage.location))
  return openPostgres({
    connectionString: testDatabaseUrl,
    maxConnections: 4,
    ...(storage.schema === undefined ? {} : { schema: storage.schema }),
  })
}
