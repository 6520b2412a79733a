import { join } from 'node:path'
import type { Actor } from '../identity/index.js'
import type { BackupDeps } from './backup.deps.js'
import { destroyFile } from './backup-files.js'
import { markFileDeleted, selectLiveFiles } from './backup.repository.js'
import { destroyOlderVaults } from './write-vault.js'

/** The policy's ceiling: "retained for a maximum of 1 week". */
export const maxRetentionDays = 7

const dayMs = 24 * 60 * 60_000

/**
 * Storage limitation (Art. 5(1)(e)) and the backup policy ("retained for a maximum of 1
 * week"): every snapshot older than the retention is overwritten and deleted, and a
 * destination left with no snapshot loses its key vault too. Audited, one entry per file.
 */
export async function pruneBackups(
  deps: Pick<BackupDeps, 'db' | 'audit' | 'clock' | 'settings'>,
  actor: Actor = { actorType: 'system', actorId: null },
): Promise<{ deleted: number; kept: number; vaultsDestroyed: number }> {
  const days = Math.min(deps.settings.retentionDays, maxRetentionDays)
  const now = deps.clock.now()
  const cutoff = new Date(now.getTime() - days * dayMs).toISOString()
  let deleted = 0
  let kept = 0
  const touched = new Set<string>()
  for (const file of await selectLiveFiles(deps.db, 'snapshot')) {
    if (file.started_at >= cutoff) {
      kept += 1
      continue
    }
    const bytes = await destroyFile(join(file.directory, file.file_name))
    await markFileDeleted(deps.db, file.id, now.toISOString())
    const ageHours = Math.floor((now.getTime() - Date.parse(file.started_at)) / 3_600_000)
    await deps.audit.record({
      workspaceId: null,
      actor,
      action: 'backup.deleted',
      outcome: 'succeeded',
      resource: { type: 'backup', id: file.id },
      details: { kind: 'snapshot', reason: 'retention', bytes, ageHours, retentionDays: days },
    })
    touched.add(file.directory)
    deleted += 1
  }
  let vaultsDestroyed = 0
  for (const directory of touched) {
    const left = await selectLiveFiles(deps.db, 'snapshot', directory)
    if (left.some((file) => file.status === 'good')) continue
    vaultsDestroyed += await destroyOlderVaults(deps, directory, undefined, actor)
  }
  return { deleted, kept, vaultsDestroyed }
}
