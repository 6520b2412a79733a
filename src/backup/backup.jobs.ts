import { readFileSync } from 'node:fs'
import type { Job } from '../jobs/index.js'
import type { BackupDeps } from './backup.deps.js'
import { createBackup } from './create-backup.js'
import { readRecipientKeys } from './openpgp-stream.js'
import { pruneBackups } from './retention.js'
import { refreshVaults } from './write-vault.js'
import { selectLiveFiles } from './backup.repository.js'

const minute = 60_000

/**
 * The backup module's periodic work, run by `serve`'s scheduler under a lease (one
 * process of several does it): the daily backup with its retention, and the key vaults
 * rewritten soon after an erasure.
 */
export function backupJobs(deps: BackupDeps): Job[] {
  return [
    {
      name: 'backup-daily',
      everyMs: 5 * minute,
      leaseMs: 6 * 60 * minute,
      run: () => runDailyBackup(deps),
    },
    {
      name: 'backup-key-vaults',
      everyMs: minute,
      leaseMs: 30 * minute,
      run: async () => {
        const done = await refreshVaults(deps)
        const summary = `${String(done.rewritten)} vaults rewritten, ${String(done.removed)} removed`
        // A failure is retried at the next run; the job shows as failed until then.
        if (done.failed > 0) throw new Error(`${summary}, ${String(done.failed)} failed`)
        return summary
      },
    },
  ]
}

/** The last time the daily backup was due: today's `HH:MM` (UTC), or yesterday's. */
export function lastDueAt(now: Date, dailyAt: string): Date {
  const [hours, minutes] = dailyAt.split(':').map(Number)
  const due = new Date(now)
  due.setUTCHours(hours ?? 0, minutes ?? 0, 0, 0)
  if (due > now) due.setUTCDate(due.getUTCDate() - 1)
  return due
}

export async function runDailyBackup(deps: BackupDeps): Promise<string> {
  const pruned = await pruneBackups(deps)
  const prunedText = `${String(pruned.deleted)} expired deleted`
  if (deps.settings.recipientFiles.length === 0) {
    return `no recipients configured (CUSTODIAN_BACKUP_RECIPIENTS); ${prunedText}`
  }
  const due = lastDueAt(deps.clock.now(), deps.settings.dailyAt).toISOString()
  const snapshots = await selectLiveFiles(deps.db, 'snapshot', deps.settings.directory)
  // A failed run is tried again at the next tick; a good one waits for tomorrow.
  if (snapshots.some((file) => file.status === 'good' && file.started_at >= due)) {
    return `not due; ${prunedText}`
  }
  const files = deps.settings.recipientFiles.map((file) => readFileSync(file))
  const recipients = await readRecipientKeys(files)
  const report = await createBackup(deps, {
    recipients,
    recipientKeys: await armoredOf(recipients),
    actor: { actorType: 'system', actorId: null },
    // serve answers requests on this thread: the copy's one long step runs beside it.
    offThread: true,
  })
  return `backup of ${String(report.snapshotBytes)} bytes written; ${prunedText}`
}

/** The recipients' public keys as one armored text, for the vault job to read back. */
export async function armoredOf(keys: readonly { armor(): string }[]): Promise<string> {
  return keys.map((key) => key.armor()).join('\n')
}
