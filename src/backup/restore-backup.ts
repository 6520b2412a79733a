import { createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type * as openpgp from 'openpgp'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import type { Storage } from '../storage/index.js'
import { inWriteTransaction, migrateTo, migrateToLatest } from '../storage/index.js'
import type { AuditLog } from '../audit/index.js'
import { resumeErasures, type SubjectsDeps } from '../subjects/index.js'
import { vaultSuffix } from './backup-files.js'
import { applyVault } from './key-vault.js'
import { MeasuringStream, checkSqliteHeader } from './payload-check.js'
import {
  connectTo,
  copyIntoSink,
  type PostgresConnection,
  clearSeedRows,
  readDump,
} from './postgres-dump.js'
import { type OpenedBackup, openBackup } from './read-backup.js'

/** Where a restore goes: a new SQLite data directory, or an empty PostgreSQL database. */
export type RestoreTarget =
  | { readonly dialect: 'sqlite'; readonly directory: string; readonly fileName: string }
  | ({ readonly dialect: 'postgres' } & PostgresConnection)

export interface RestoreInput {
  readonly file: string
  /** The key vault to join; the newest beside the file when absent. */
  readonly vaultFile?: string | undefined
  readonly identity: readonly openpgp.PrivateKey[]
  readonly signers: readonly openpgp.Key[]
  readonly target: RestoreTarget
  readonly actor: Actor
  /** Opens the target as a store (the composition root's job, not this module's). */
  readonly openTarget: (target: RestoreTarget) => Storage
  /**
   * The restored store's own modules (keyring, audit log, registry), built by the
   * composition root: the erasures the vault added are carried out through them, and
   * the restore is recorded in the restored instance's audit log.
   */
  readonly openTargetModules: (storage: Storage) => Promise<TargetModules>
  readonly onProgress?: ((done: number) => void) | undefined
}

export interface TargetModules {
  readonly subjects: SubjectsDeps
  readonly audit: Pick<AuditLog, 'record'>
  close(): Promise<void>
}

export interface RestoreReport {
  readonly file: string
  readonly vaultFile: string
  readonly dialect: string
  readonly snapshotBytes: number
  readonly subjectKeys: number
  readonly erasuresReplayed: number
  readonly durationMs: number
}

/**
 * `custodian backup restore F --identity KEY.asc`: the snapshot into an empty target,
 * then the current key vault (its keys, and the erasures made since the snapshot,
 * replayed), so a person erased after the backup stays erased (Art. 17). Nothing is
 * kept unless the snapshot and the vault both decrypt, check out and carry the
 * instance's signature.
 */
export async function restoreBackup(input: RestoreInput): Promise<RestoreReport> {
  const startedMs = Date.now()
  const file = resolve(input.file)
  const vaultFile = resolve(input.vaultFile ?? newestVaultBeside(file))
  await assertTargetEmpty(input.target)
  const snapshot = await openBackup(file, input)
  if (snapshot.kind !== input.target.dialect) {
    throw new AppError(
      'invalid_request',
      `The backup is a ${snapshot.kind} snapshot; restore it into a ${snapshot.kind === 'sqlite' ? 'data directory (--data)' : 'PostgreSQL database (--database-url)'}`,
    )
  }
  const snapshotBytes =
    input.target.dialect === 'sqlite'
      ? await restoreSqlite(snapshot, input.target, input.onProgress)
      : await restorePostgres(snapshot, input.target, input)
  const storage = input.openTarget(input.target)
  try {
    await migrateToLatest(storage)
    const vault = await openBackup(vaultFile, input)
    if (vault.kind !== 'vault')
      throw new AppError('invalid_request', 'The vault file is no key vault')
    const applied = await inWriteTransaction(storage.db, async (trx) => {
      const result = await applyVault(trx, vault.payload)
      await vault.signedBy
      return result
    })
    const target = await input.openTargetModules(storage)
    try {
      // Art. 17: everyone erased since the snapshot is erased again here, rows and all.
      const erasuresReplayed = (await resumeErasures(target.subjects)).length
      const report: RestoreReport = {
        file,
        vaultFile,
        dialect: input.target.dialect,
        snapshotBytes,
        subjectKeys: applied.subjectKeys,
        erasuresReplayed,
        durationMs: Date.now() - startedMs,
      }
      await target.audit.record({
        workspaceId: null,
        actor: input.actor,
        action: 'backup.restored',
        outcome: 'succeeded',
        details: {
          dialect: input.target.dialect,
          bytes: snapshotBytes,
          subjectKeys: applied.subjectKeys,
          erasuresReplayed,
          durationMs: report.durationMs,
        },
      })
      return report
    } finally {
      await target.close()
    }
  } finally {
    await storage.close()
  }
}

function newestVaultBeside(file: string): string {
  const directory = dirname(file)
  const vaults = readdirSync(directory)
    .filter((name) => name.endsWith(vaultSuffix))
    .sort()
  const newest = vaults[vaults.length - 1]
  if (newest === undefined) {
    throw new AppError(
      'invalid_request',
      'No key vault beside the backup: a snapshot holds no subject keys and opens only with its destination’s current vault (--vault)',
    )
  }
  return join(directory, newest)
}

async function assertTargetEmpty(target: RestoreTarget): Promise<void> {
  if (target.dialect === 'sqlite') {
    if (existsSync(target.directory) && readdirSync(target.directory).length > 0) {
      throw new AppError(
        'conflict',
        'The target directory is not empty: restore only into a new one',
      )
    }
    return
  }
  const client = await connectTo(target)
  try {
    const tables = await client.query<{ count: string }>(
      `select count(*)::text as count from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'r'`,
    )
    if (Number(tables.rows[0]?.count ?? 0) > 0) {
      throw new AppError(
        'conflict',
        'The target database has tables: restore only into an empty one',
      )
    }
  } finally {
    await client.end()
  }
}

async function restoreSqlite(
  snapshot: OpenedBackup,
  target: Extract<RestoreTarget, { dialect: 'sqlite' }>,
  onProgress: ((done: number) => void) | undefined,
): Promise<number> {
  mkdirSync(target.directory, { recursive: true, mode: 0o700 })
  const path = join(target.directory, target.fileName)
  const partial = `${path}.restoring`
  const measure = new MeasuringStream(onProgress)
  try {
    await pipeline(snapshot.payload, measure, createWriteStream(partial, { mode: 0o600 }))
    await snapshot.signedBy
    const problem = checkSqliteHeader(measure.head, measure.bytes)
    if (problem !== undefined)
      throw new AppError('invalid_request', `The backup does not restore: ${problem}`)
    await rename(partial, path)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  return measure.bytes
}

async function restorePostgres(
  snapshot: OpenedBackup,
  target: Extract<RestoreTarget, { dialect: 'postgres' }>,
  input: RestoreInput,
): Promise<number> {
  const client = await connectTo(target)
  const measure = new MeasuringStream(input.onProgress)
  try {
    const copying = copyIntoSink(client)
    const chunks = snapshot.payload.pipe(measure)
    snapshot.payload.on('error', (error) => measure.destroy(error))
    await readDump(chunks as AsyncIterable<Buffer>, {
      header: async (migrations) => {
        const last = migrations[migrations.length - 1]
        if (last === undefined) throw new AppError('invalid_request', 'The dump has no schema')
        // The schema the rows were dumped from, made by the migrations themselves; their
        // seed rows give way to the dump's.
        const storage = input.openTarget(target)
        try {
          await migrateTo(storage, last)
        } finally {
          await storage.close()
        }
        await client.query('begin')
        const tables = await client.query<{ name: string }>(
          `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relkind = 'r'
              and c.relname not in ('kysely_migration', 'kysely_migration_lock')`,
        )
        await clearSeedRows(
          client,
          tables.rows.map((row) => row.name),
        )
      },
      beginTable: copying.beginTable,
      data: copying.data,
      endTable: copying.endTable,
    })
    await snapshot.signedBy
    await client.query('commit')
    return measure.bytes
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    await client.end()
  }
}
