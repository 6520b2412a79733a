import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { Database, DialectName } from '../storage/index.js'
import type { TransferDeps } from '../transfers/index.js'

/** Where and how backups are made (CUSTODIAN_BACKUP_*), read once from the configuration. */
export interface BackupSettings {
  /** The destination directory, absolute. */
  readonly directory: string
  /** Where the directory's storage lies (a region such as `eu`, or a country code). */
  readonly region: string
  /** The host the directory is mounted from (NFS, an object-store gateway), if not this machine. */
  readonly host?: string | undefined
  /** OpenPGP public key files the daily backup is encrypted to; none: no daily backup. */
  readonly recipientFiles: readonly string[]
  /** Backups older than this are deleted; at most 7 (the policy: "a maximum of 1 week"). */
  readonly retentionDays: number
  /** When the daily backup runs, `HH:MM` in UTC. */
  readonly dailyAt: string
}

/** How the backup module reaches the database it copies, beside its Kysely instance. */
export type BackupSource =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string; readonly schema?: string }

export interface BackupDeps {
  readonly db: Database
  readonly source: BackupSource
  readonly keyring: Keyring
  readonly audit: Pick<AuditLog, 'record'>
  readonly clock: Clock
  readonly logger: Logger
  readonly transfers: TransferDeps
  readonly settings: BackupSettings
}

export function dialectOfSource(source: BackupSource): DialectName {
  return source.dialect
}
