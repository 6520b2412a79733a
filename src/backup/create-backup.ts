import { createReadStream } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import type * as openpgp from 'openpgp'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { BackupDeps } from './backup.deps.js'
import {
  backupFileName,
  ensureDirectory,
  chunkBytes,
  signingKeyFileName,
  snapshotSuffixes,
  writeWhole,
} from './backup-files.js'
import { insertBackupFile, upsertDestination } from './backup.repository.js'
import { checkDestination } from './destination.js'
import { encryptStream } from './openpgp-stream.js'
import { MeasuringStream } from './payload-check.js'
import { connectTo, dumpPostgres, estimateDumpBytes } from './postgres-dump.js'
import { copyInWorker, copySqliteStore, fileSize } from './sqlite-snapshot.js'
import { activeSigningKey } from './signing-key.js'
import { type VaultReport, writeVault } from './write-vault.js'

export interface CreateBackupInput {
  /** The recipients' public keys, parsed, and as given (stored for the vault job). */
  readonly recipients: readonly openpgp.Key[]
  readonly recipientKeys: string
  /** Where to write; the configured directory when absent. */
  readonly directory?: string | undefined
  readonly actor: Actor
  /**
   * Copy the SQLite store on a worker thread: for `serve`'s daily job, whose thread also
   * answers requests. The command line copies on its own thread (one isolate less).
   */
  readonly offThread?: boolean | undefined
  /** Bytes of the snapshot encrypted so far, of about `total`: for a progress bar. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

export interface BackupReport {
  readonly id: string
  readonly file: string
  readonly dialect: string
  readonly sizeBytes: number
  readonly snapshotBytes: number
  readonly snapshotSha256: string
  readonly signedBy: string
  readonly recipients: readonly string[]
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly vault: VaultReport
}

/**
 * `custodian backup create`: a consistent snapshot of the store, without the subject
 * keys, encrypted to the recipients and signed by the instance, written whole into the
 * destination; then the destination's key vault, rewritten. Audited either way.
 */
export async function createBackup(
  deps: BackupDeps,
  input: CreateBackupInput,
): Promise<BackupReport> {
  const directory = resolve(input.directory ?? deps.settings.directory)
  await checkDestination(deps, deps.settings.region)
  ensureDirectory(directory)
  const started = deps.clock.now()
  const startedMs = Date.now()
  const id = newId(started)
  const fileName = backupFileName(started, snapshotSuffixes[deps.source.dialect])
  const recipients = input.recipients.map((key) => key.getFingerprint())
  const base = {
    id,
    kind: 'snapshot' as const,
    directory,
    file_name: fileName,
    dialect: deps.source.dialect,
    started_at: started.toISOString(),
    recipients: recipients.join(','),
    region: deps.settings.region,
    shred_epoch: null,
  }
  try {
    const signingKey = await activeSigningKey(deps)
    // For a restore on another machine; trusted only as far as the directory is.
    await writeFile(join(directory, signingKeyFileName), signingKey.toPublic().armor(), {
      mode: 0o644,
    })
    const written = await writeSnapshot(deps, { directory, fileName, signingKey, input })
    const finished = deps.clock.now()
    await insertBackupFile(deps.db, {
      ...base,
      status: 'good',
      finished_at: finished.toISOString(),
      size_bytes: written.sizeBytes,
      payload_bytes: written.snapshotBytes,
      payload_sha256: written.sha256,
      signed_by: signingKey.getFingerprint(),
      deleted_at: null,
    })
    await upsertDestination(deps.db, {
      directory,
      region: deps.settings.region,
      recipient_keys: input.recipientKeys,
      updated_at: finished.toISOString(),
    })
    const durationMs = Date.now() - startedMs
    await deps.audit.record({
      workspaceId: null,
      actor: input.actor,
      action: 'backup.created',
      outcome: 'succeeded',
      resource: { type: 'backup', id },
      details: {
        dialect: deps.source.dialect,
        bytes: written.sizeBytes,
        snapshotBytes: written.snapshotBytes,
        durationMs,
        recipients: recipients.length,
        region: deps.settings.region,
      },
    })
    // The vault is read after the snapshot: it holds a key for everything the snapshot
    // holds, except what an erasure destroyed meanwhile.
    const vault = await writeVault(deps, {
      directory,
      recipients: input.recipients,
      signingKey,
      actor: input.actor,
    })
    return {
      id,
      file: join(directory, fileName),
      dialect: deps.source.dialect,
      sizeBytes: written.sizeBytes,
      snapshotBytes: written.snapshotBytes,
      snapshotSha256: written.sha256,
      signedBy: signingKey.getFingerprint(),
      recipients,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs,
      vault,
    }
  } catch (error) {
    await recordFailure(deps, base, input.actor, error)
    throw error
  }
}

async function recordFailure(
  deps: BackupDeps,
  base: Parameters<typeof insertBackupFile>[1] extends infer Row
    ? Omit<
        Row & object,
        | 'status'
        | 'finished_at'
        | 'size_bytes'
        | 'payload_bytes'
        | 'payload_sha256'
        | 'signed_by'
        | 'deleted_at'
      >
    : never,
  actor: Actor,
  error: unknown,
): Promise<void> {
  const reason = error instanceof Error && 'code' in error ? String(error.code) : 'internal'
  await insertBackupFile(deps.db, {
    ...base,
    status: 'failed',
    finished_at: null,
    size_bytes: null,
    payload_bytes: null,
    payload_sha256: null,
    signed_by: null,
    deleted_at: null,
  }).catch(() => {})
  await deps.audit
    .record({
      workspaceId: null,
      actor,
      action: 'backup.failed',
      outcome: 'failed',
      resource: { type: 'backup', id: base.id },
      details: { dialect: deps.source.dialect, reason },
    })
    .catch(() => {})
}

async function writeSnapshot(
  deps: BackupDeps,
  options: {
    directory: string
    fileName: string
    signingKey: openpgp.PrivateKey
    input: CreateBackupInput
  },
): Promise<{ sizeBytes: number; snapshotBytes: number; sha256: string }> {
  const { payload, total, cleanup } = await openSnapshot(deps, options.input.offThread === true)
  try {
    const measure = new MeasuringStream((done) => options.input.onProgress?.(done, total()))
    const encrypted = await encryptStream(payload.pipe(measure), {
      recipients: options.input.recipients,
      signingKey: options.signingKey,
      fileName: deps.source.dialect === 'sqlite' ? 'custodian.sqlite' : 'custodian.pgdump',
    })
    const sizeBytes = await writeWhole(options.directory, options.fileName, encrypted)
    return { sizeBytes, snapshotBytes: measure.bytes, sha256: measure.digest() }
  } finally {
    await cleanup()
  }
}

/** The snapshot as a stream: the SQLite copy's bytes, or the PostgreSQL dump. */
async function openSnapshot(
  deps: BackupDeps,
  offThread: boolean,
): Promise<{ payload: Readable; total: () => number; cleanup: () => Promise<void> }> {
  const source = deps.source
  if (source.dialect === 'sqlite') {
    // Beside the store, under its protection: the copy is as sealed as the store itself.
    const workDirectory = join(dirname(source.file), `.backup-${newId(deps.clock.now())}`)
    try {
      const copy = offThread
        ? await copyInWorker(source.file, workDirectory)
        : await copySqliteStore(source.file, workDirectory)
      const size = fileSize(copy)
      return {
        payload: createReadStream(copy, { highWaterMark: chunkBytes }),
        total: () => size,
        cleanup: () => rm(workDirectory, { recursive: true, force: true }),
      }
    } catch (error) {
      await rm(workDirectory, { recursive: true, force: true })
      throw error
    }
  }
  const client = await connectTo(source)
  const estimate = await estimateDumpBytes(client).catch(() => 0)
  return {
    payload: Readable.from(dumpPostgres(client), { objectMode: false, highWaterMark: chunkBytes }),
    total: () => estimate,
    cleanup: () => client.end(),
  }
}
