import { join } from 'node:path'
import type * as openpgp from 'openpgp'
import { selectShredEpoch } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { BackupDeps } from './backup.deps.js'
import {
  backupFileName,
  destroyFile,
  ensureDirectory,
  vaultSuffix,
  writeWhole,
} from './backup-files.js'
import {
  insertBackupFile,
  markFileDeleted,
  selectDestinations,
  selectLiveFiles,
} from './backup.repository.js'
import { vaultPayload, type VaultCounts } from './key-vault.js'
import { encryptStream, readPublicKeys } from './openpgp-stream.js'
import { MeasuringStream } from './payload-check.js'
import { activeSigningKey } from './signing-key.js'

export interface VaultReport {
  readonly file: string
  readonly sizeBytes: number
  readonly subjectKeys: number
  readonly erasures: number
  /** Older vaults of the destination overwritten and deleted. */
  readonly destroyed: number
}

/**
 * Writes a new key vault into `directory`, then destroys every older vault there: at
 * any moment a destination holds one vault, the newest, and an erased person's keys
 * are in it only until the next one is written (after the erasure, by the
 * `backup-key-vaults` job, or by the next backup).
 */
export async function writeVault(
  deps: BackupDeps,
  options: {
    directory: string
    recipients: readonly openpgp.Key[]
    signingKey: openpgp.PrivateKey
    actor: Actor
  },
): Promise<VaultReport> {
  ensureDirectory(options.directory)
  const started = deps.clock.now()
  const startedMs = Date.now()
  const id = newId(started)
  const fileName = backupFileName(started, vaultSuffix)
  let counts: VaultCounts = { subjectKeys: 0, erasures: 0 }
  // Read before the keys: a shred while the vault is written leaves an older epoch, so
  // the next run of the vault job writes it again without that key.
  const shredEpoch = await selectShredEpoch(deps.db)
  const measure = new MeasuringStream()
  const payload = vaultPayload(
    deps.db,
    { createdAt: started.toISOString(), dialect: deps.source.dialect },
    (read) => {
      counts = read
    },
  )
  const encrypted = await encryptStream(payload.pipe(measure), {
    recipients: options.recipients,
    signingKey: options.signingKey,
    fileName: 'custodian.keys.jsonl',
  })
  const sizeBytes = await writeWhole(options.directory, fileName, encrypted)
  await insertBackupFile(deps.db, {
    id,
    kind: 'vault',
    directory: options.directory,
    file_name: fileName,
    dialect: deps.source.dialect,
    status: 'good',
    started_at: started.toISOString(),
    finished_at: deps.clock.now().toISOString(),
    size_bytes: sizeBytes,
    payload_bytes: measure.bytes,
    payload_sha256: measure.digest(),
    signed_by: options.signingKey.getFingerprint(),
    recipients: options.recipients.map((key) => key.getFingerprint()).join(','),
    region: deps.settings.region,
    deleted_at: null,
    shred_epoch: shredEpoch,
  })
  await deps.audit.record({
    workspaceId: null,
    actor: options.actor,
    action: 'backup.vault_written',
    outcome: 'succeeded',
    resource: { type: 'backup_vault', id },
    details: {
      bytes: sizeBytes,
      subjectKeys: counts.subjectKeys,
      erasures: counts.erasures,
      durationMs: Date.now() - startedMs,
    },
  })
  const destroyed = await destroyOlderVaults(deps, options.directory, id, options.actor)
  return {
    file: join(options.directory, fileName),
    sizeBytes,
    subjectKeys: counts.subjectKeys,
    erasures: counts.erasures,
    destroyed,
  }
}

/** Overwrites and deletes every vault of `directory` but `keepId` (none: all of them). */
export async function destroyOlderVaults(
  deps: Pick<BackupDeps, 'db' | 'audit' | 'clock'>,
  directory: string,
  keepId: string | undefined,
  actor: Actor,
): Promise<number> {
  let destroyed = 0
  for (const vault of await selectLiveFiles(deps.db, 'vault', directory)) {
    if (vault.id === keepId) continue
    const bytes = await destroyFile(join(vault.directory, vault.file_name))
    await markFileDeleted(deps.db, vault.id, deps.clock.now().toISOString())
    await deps.audit.record({
      workspaceId: null,
      actor,
      action: 'backup.deleted',
      outcome: 'succeeded',
      resource: { type: 'backup_vault', id: vault.id },
      details: {
        kind: 'vault',
        reason: keepId === undefined ? 'no_snapshots' : 'superseded',
        bytes,
      },
    })
    destroyed += 1
  }
  return destroyed
}

/**
 * The `backup-key-vaults` job: every destination whose vault is older than the newest
 * erasure or crypto-shred gets a new vault, so an erased person's keys leave the backups within a run
 * of the job (Art. 17 "without undue delay"). A destination whose snapshots have all
 * expired keeps no vault at all.
 */
export async function refreshVaults(
  deps: BackupDeps,
): Promise<{ rewritten: number; removed: number; failed: number }> {
  const lastErasure = await newestErasureAt(deps)
  const shredEpoch = await selectShredEpoch(deps.db)
  const done = { rewritten: 0, removed: 0, failed: 0 }
  // One unreachable destination (a volume not mounted) does not hold up the others.
  for (const destination of await selectDestinations(deps.db)) {
    try {
      const outcome = await refreshVault(deps, destination, lastErasure, shredEpoch)
      if (outcome !== undefined) done[outcome] += 1
    } catch (error) {
      deps.logger.error({ err: error }, 'a backup destination’s key vault could not be rewritten')
      done.failed += 1
    }
  }
  return done
}

async function refreshVault(
  deps: BackupDeps,
  destination: { directory: string; recipient_keys: string },
  lastErasure: string | undefined,
  shredEpoch: number,
): Promise<'rewritten' | 'removed' | undefined> {
  const system: Actor = { actorType: 'system', actorId: null }
  const snapshots = await selectLiveFiles(deps.db, 'snapshot', destination.directory)
  const vaults = await selectLiveFiles(deps.db, 'vault', destination.directory)
  if (snapshots.every((file) => file.status !== 'good')) {
    if (vaults.length === 0) return undefined
    await destroyOlderVaults(deps, destination.directory, undefined, system)
    return 'removed'
  }
  const newest = vaults[vaults.length - 1]
  const afterLastErasure = lastErasure === undefined || lastErasure < (newest?.started_at ?? '')
  // Any key destroyed since the vault was read (a redaction, retention, a channel) goes too.
  const afterLastShred = shredEpoch <= Number(newest?.shred_epoch ?? -1)
  if (newest !== undefined && afterLastErasure && afterLastShred) return undefined
  await writeVault(deps, {
    directory: destination.directory,
    recipients: await readPublicKeys(destination.recipient_keys),
    signingKey: await activeSigningKey(deps),
    actor: system,
  })
  return 'rewritten'
}

async function newestErasureAt(deps: Pick<BackupDeps, 'db'>): Promise<string | undefined> {
  // An erasure counts from the moment it is planned: its keys go right after, and a
  // vault begun before that moment may still hold them.
  const row = await deps.db
    .selectFrom('subject_erasures')
    .select((eb) => eb.fn.max('planned_at').as('latest'))
    .executeTakeFirst()
  return row?.latest ?? undefined
}
