import { AppError } from '../errors.js'
import { assertKeyCheckCurrent } from './key-check.js'
import type { KeyStore } from './key-store.js'
import { unwrapKey, wrapKey } from './key-wrap.js'
import { type ResealReport, resealWorkspace } from './reseal.js'
import type { SealedColumnRegistry } from './sealed-columns.js'
import {
  countKeysWrappedUnder,
  selectKeysWrappedUnder,
  subjectKeyContext,
  subjectKeyLabel,
  updateWrapping,
} from './subject-keys.js'
import {
  listKeyedWorkspaces,
  markRetired,
  markRetiring,
  selectActiveWorkspaceKey,
  selectNewestVersion,
  selectRetiringVersions,
  selectWorkspaceKey,
} from './workspace-keys.js'

export type RotationPhase = 'rewrap' | 'subject-keys' | 'reseal'

export interface RotationProgress {
  workspaceId: string
  phase: RotationPhase
  /** The table being re-sealed, in the `reseal` phase. */
  table?: string
  done: number
  total: number
}

export interface RotateOptions {
  /** One workspace; every workspace that has keys when absent. */
  workspaceId?: string
  /** Also re-encrypt every registered sealed column under new subject key versions. */
  reseal?: boolean
  batchSize?: number
  onProgress?: (progress: RotationProgress) => void
}

export interface WorkspaceRotation {
  workspaceId: string
  fromVersion: number
  toVersion: number
  /** Subject keys re-wrapped under the new version. */
  rewrapped: number
  /** Versions whose keys are now destroyed; one still retiring is finished by the next run. */
  retired: number[]
  reseal?: ResealReport
}

const defaultBatchSize = 500
const retireAttempts = 5

/**
 * Rotates workspace keys with no downtime and no data loss:
 *
 * 1. a new version becomes active and the old one `retiring`, in one transaction;
 *    from then on every new subject key is wrapped under the new version;
 * 2. subject keys still wrapped under a retiring version are re-wrapped in batches,
 *    each batch in its own transaction; until then the old version keeps opening them;
 * 3. once no key refers to a retiring version, its wrapped key is destroyed and it is
 *    marked `retired`, checked and done under a row lock so no straggler is orphaned.
 *
 * The data keys themselves do not change, so no sealed value needs touching; `reseal`
 * additionally gives every subject a new data key and re-encrypts its values.
 * An interrupted rotation is finished by the next one.
 */
export async function rotateKeys(
  store: KeyStore,
  registry: SealedColumnRegistry,
  options: RotateOptions = {},
): Promise<WorkspaceRotation[]> {
  const workspaces =
    options.workspaceId === undefined ? await listKeyedWorkspaces(store.db) : [options.workspaceId]
  const results: WorkspaceRotation[] = []
  for (const workspaceId of workspaces) {
    results.push(await rotateWorkspaceKey(store, registry, workspaceId, options))
  }
  return results
}

export async function rotateWorkspaceKey(
  store: KeyStore,
  registry: SealedColumnRegistry,
  workspaceId: string,
  options: RotateOptions = {},
): Promise<WorkspaceRotation> {
  const batchSize = options.batchSize ?? defaultBatchSize
  const { fromVersion, toVersion } = await startRotation(store, workspaceId)
  let rewrapped = 0
  const retired: number[] = []
  for (let attempt = 0; attempt < retireAttempts; attempt += 1) {
    const retiring = await selectRetiringVersions(store.db, workspaceId)
    if (retiring.length === 0) break
    for (const version of retiring) {
      rewrapped += await rewrapVersion(store, workspaceId, version, batchSize, options.onProgress)
      if (await retireIfUnused(store, workspaceId, version)) retired.push(version)
    }
  }
  const rotation: WorkspaceRotation = { workspaceId, fromVersion, toVersion, rewrapped, retired }
  if (options.reseal === true) {
    rotation.reseal = await resealWorkspace(store, registry, workspaceId, {
      batchSize,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    })
  }
  return rotation
}

async function startRotation(
  store: KeyStore,
  workspaceId: string,
): Promise<{ fromVersion: number; toVersion: number }> {
  return store.inTransaction(store.scopeFor(undefined), async (scope) => {
    // The key check first (FOR SHARE): the lock order of a master-key change, which
    // would otherwise deadlock with this on PostgreSQL; and no rotation under a stale key.
    await assertKeyCheckCurrent(scope.db, store.provider)
    // Locked FOR UPDATE: waits for subject keys being wrapped under this version.
    const active = await selectActiveWorkspaceKey(scope.db, workspaceId, 'update')
    if (active === undefined) {
      throw new AppError('not_found', `Workspace ${workspaceId} has no keys to rotate`)
    }
    const toVersion = (await selectNewestVersion(scope.db, workspaceId)) + 1
    await markRetiring(scope.db, workspaceId, active.version)
    if (!(await store.createWorkspaceKey(scope, workspaceId, toVersion))) {
      throw new AppError('conflict', `Another rotation of workspace ${workspaceId} is under way`)
    }
    return { fromVersion: active.version, toVersion }
  })
}

/** Re-wraps, batch by batch, every subject key still wrapped under `version`. */
async function rewrapVersion(
  store: KeyStore,
  workspaceId: string,
  version: number,
  batchSize: number,
  onProgress: RotateOptions['onProgress'],
): Promise<number> {
  const total = await countKeysWrappedUnder(store.db, workspaceId, version)
  const oldKey = await store.workspaceKey(store.scopeFor(undefined), workspaceId, version)
  let done = 0
  onProgress?.({ workspaceId, phase: 'rewrap', done, total })
  for (;;) {
    const moved = await store.inTransaction(store.scopeFor(undefined), async (scope) => {
      // Read under a share lock in each batch: should another rotation start meanwhile,
      // this batch wraps under its version, never under one about to be destroyed.
      const target = await store.activeWorkspaceKey(scope, workspaceId)
      const page = await selectKeysWrappedUnder(scope.db, workspaceId, version, batchSize)
      let count = 0
      for (const row of page) {
        const from = subjectKeyContext(workspaceId, row.subject_id, row.version, version)
        const to = subjectKeyContext(workspaceId, row.subject_id, row.version, target.version)
        const clear = unwrapKey(oldKey, subjectKeyLabel, from, row.wrapped_key)
        const wrappedKey = wrapKey(target.key, subjectKeyLabel, to, clear)
        clear.fill(0)
        const updated = await updateWrapping(scope.db, workspaceId, {
          subjectId: row.subject_id,
          version: row.version,
          fromVersion: version,
          toVersion: target.version,
          wrappedKey,
        })
        if (updated) count += 1
      }
      return { count, pageSize: page.length }
    })
    done += moved.count
    onProgress?.({ workspaceId, phase: 'rewrap', done, total: Math.max(total, done) })
    if (moved.pageSize < batchSize) return done
  }
}

/** Destroys a retiring version once nothing refers to it; false if something still does. */
async function retireIfUnused(
  store: KeyStore,
  workspaceId: string,
  version: number,
): Promise<boolean> {
  const retired = await store.inTransaction(store.scopeFor(undefined), async (scope) => {
    await selectWorkspaceKey(scope.db, workspaceId, version, 'update')
    if ((await countKeysWrappedUnder(scope.db, workspaceId, version)) > 0) return false
    await markRetired(scope.db, workspaceId, version, store.clock.now().toISOString())
    return true
  })
  if (retired) store.forgetWorkspaceKey(workspaceId, version)
  return retired
}
