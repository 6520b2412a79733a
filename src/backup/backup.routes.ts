import { Type } from 'typebox'
import type { App } from '../app.js'
import type { Access } from '../identity/index.js'
import type { BackupDeps } from './backup.deps.js'
import { backupStatus } from './backup-status.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const BackupStatusSchema = Type.Object({
  lastGoodAt: Nullable(Type.String({ format: 'date-time' })),
  lastGoodBytes: Nullable(Type.Integer()),
  lastFailedAt: Nullable(Type.String({ format: 'date-time' })),
  hoursSinceLastGood: Nullable(Type.Integer()),
  snapshotsKept: Type.Integer(),
  bytesKept: Type.Integer(),
  retentionDays: Type.Integer(),
  dailyAt: Type.String(),
  region: Type.String(),
  scheduled: Type.Boolean(),
})

/**
 * `GET /v1/system/backups`: when the last good backup finished, what is kept and the
 * schedule, for the platform admin's monitoring, with the instance's admin token
 * (`platformAdmin` access): a workspace's operators and keys are tenants, not the
 * platform's admin. It answers only times, counts, sizes and the region, never a file
 * name, a directory, a key or a workspace. (The age of the last good backup is also a
 * line of `/healthz?detail=true`, for a monitor without the token.)
 */
export function registerBackupRoutes(app: App, deps: BackupDeps, access: Access): void {
  app.get(
    '/v1/system/backups',
    {
      config: { access },
      schema: {
        summary: 'Backups: the last good one, what is kept, the schedule (no contents)',
        tags: ['system'],
        response: { 200: BackupStatusSchema },
      },
    },
    async () => backupStatus(deps),
  )
}

/** The line `/healthz?detail=true` adds: seconds since the last good backup (-1: none yet). */
export async function backupMetricLines(
  deps: Pick<BackupDeps, 'db' | 'clock' | 'settings'>,
): Promise<string[]> {
  const status = await backupStatus(deps)
  const age =
    status.lastGoodAt === null
      ? -1
      : Math.floor((deps.clock.now().getTime() - Date.parse(status.lastGoodAt)) / 1000)
  return [
    `custodian_backup_last_good_age_seconds ${String(age)}`,
    `custodian_backup_snapshots_kept ${String(status.snapshotsKept)}`,
  ]
}
