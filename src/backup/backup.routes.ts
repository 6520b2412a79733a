import { Type } from 'typebox'
import type { App } from '../app.js'
import { anyone } from '../identity/index.js'
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
 * schedule, for the platform admin's monitoring. Authorised as the other system routes
 * (`/healthz`): open, because a monitor scrapes it without a workspace's credentials
 * and no platform-admin credential exists over HTTP; it therefore answers only times,
 * counts, sizes and the region, never a file name, a directory, a key or a workspace.
 */
export function registerBackupRoutes(app: App, deps: BackupDeps): void {
  app.get(
    '/v1/system/backups',
    {
      config: { access: anyone },
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
