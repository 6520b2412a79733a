import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { dialectSkip, testDatabaseUrl } from '../../src/storage/testing/dialects.js'
import { runCli } from '../cli-process.js'

/**
 * A store for `custodian serve` child processes: a data directory (SQLite, and the mail
 * outbox on both), and on PostgreSQL a fresh schema of the test database named in
 * DATABASE_URL's `options`, so several processes and restarts share it. One master key
 * for every process, as DESIGN.md asks of nodes that share a database.
 */
export interface ServeStore {
  dialect: 'sqlite' | 'postgres'
  dataDir: string
  /** The PostgreSQL schema the store lives in. */
  schema?: string
  env: NodeJS.ProcessEnv
  /** Arguments for `serve` and every other command. */
  args: string[]
  cleanup(): Promise<void>
}

export { dialectSkip }

export async function makeServeStore(dialect: 'sqlite' | 'postgres'): Promise<ServeStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `custodian-reliability-${dialect}-`))
  const env: NodeJS.ProcessEnv = {
    CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    DATABASE_URL: '',
    // These suites measure durability, not the per-address limit (security.test.ts does).
    CUSTODIAN_PUBLIC_KEY_RATE: '1000000',
    CUSTODIAN_PUBLIC_KEY_BURST: '10000000',
  }
  let schema: string | undefined
  if (dialect === 'postgres') {
    schema = `rel_${process.pid}_${randomBytes(4).toString('hex')}`
    await runAdmin(`CREATE SCHEMA ${schema}`)
    const url = new URL(testDatabaseUrl)
    url.searchParams.set('options', `-c search_path=${schema}`)
    env.DATABASE_URL = url.toString()
  }
  return {
    dialect,
    dataDir,
    ...(schema === undefined ? {} : { schema }),
    env,
    args: ['--data', dataDir],
    async cleanup() {
      if (schema !== undefined) await runAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface WorkspaceKeys {
  id: string
  publicKey: string
  secretKey: string
}

/** `custodian workspace create`, as the administrator runs it (migrates the store first). */
export function createWorkspaceByCli(store: ServeStore, name: string): WorkspaceKeys {
  const result = runCli(['workspace', 'create', '--name', name, '--json', ...store.args], store.env)
  if (result.status !== 0) throw new Error(`workspace create failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as WorkspaceKeys
}

/** `custodian audit verify --json`: the whole chain, checked by the command an admin runs. */
export function verifyAuditByCli(store: ServeStore): { ok: boolean; output: string } {
  const result = runCli(['audit', 'verify', '--json', ...store.args], store.env)
  return { ok: result.status === 0, output: result.stdout + result.stderr }
}

export async function runAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
