import type { BackupDeps } from './backup.deps.js'
import {
  selectAllFiles,
  selectLastFailed,
  selectLastGood,
  selectLiveFiles,
} from './backup.repository.js'
import type { BackupFilesTable } from './backup.table.js'

/** One backup file as `backup list` and the API show it: no contents, no keys. */
export interface BackupFileView {
  readonly id: string
  readonly kind: string
  readonly file: string
  readonly dialect: string
  readonly status: string
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly sizeBytes: number | null
  readonly region: string
  readonly deletedAt: string | null
}

export function viewOf(row: BackupFilesTable): BackupFileView {
  return {
    id: row.id,
    kind: row.kind,
    file: row.file_name,
    dialect: row.dialect,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    region: row.region,
    deletedAt: row.deleted_at,
  }
}

/** Every file, newest first (kept and deleted), for `backup list`. */
export async function listBackups(
  deps: Pick<BackupDeps, 'db'>,
  limit = 200,
): Promise<(BackupFileView & { directory: string })[]> {
  const rows = await selectAllFiles(deps.db, limit)
  return rows.map((row) => ({ ...viewOf(row), directory: row.directory }))
}

export interface BackupStatus {
  readonly lastGoodAt: string | null
  readonly lastGoodBytes: number | null
  readonly lastFailedAt: string | null
  /** Whole hours since the last good backup; null before the first. */
  readonly hoursSinceLastGood: number | null
  readonly snapshotsKept: number
  readonly bytesKept: number
  readonly retentionDays: number
  readonly dailyAt: string
  readonly region: string
  readonly scheduled: boolean
}

/** For monitoring: when the last good backup finished, what is kept, the schedule. */
export async function backupStatus(
  deps: Pick<BackupDeps, 'db' | 'clock' | 'settings'>,
): Promise<BackupStatus> {
  const [lastGood, lastFailed, kept] = await Promise.all([
    selectLastGood(deps.db),
    selectLastFailed(deps.db),
    selectLiveFiles(deps.db, 'snapshot'),
  ])
  const good = kept.filter((row) => row.status === 'good')
  const lastGoodAt = lastGood?.finished_at ?? null
  return {
    lastGoodAt,
    lastGoodBytes: lastGood?.size_bytes == null ? null : Number(lastGood.size_bytes),
    lastFailedAt: lastFailed?.started_at ?? null,
    hoursSinceLastGood:
      lastGoodAt === null
        ? null
        : Math.floor((deps.clock.now().getTime() - Date.parse(lastGoodAt)) / 3_600_000),
    snapshotsKept: good.length,
    bytesKept: good.reduce((sum, row) => sum + Number(row.size_bytes ?? 0), 0),
    retentionDays: deps.settings.retentionDays,
    dailyAt: deps.settings.dailyAt,
    region: deps.settings.region,
    scheduled: deps.settings.recipientFiles.length > 0,
  }
}
