/**
 * Backups: OpenPGP-encrypted, signed snapshots of the store that GnuPG decrypts, kept
 * at most a week, restored only into an empty store, in the instance's region; the
 * subject keys kept apart in a key vault rewritten after every erasure, so an erasure
 * reaches every backup (Art. 17, Art. 5(1)(e), Art. 32(1)(c)). Other modules and the
 * CLI import only from here.
 */
export { backupAuditActions } from './backup.audit.js'
export { signingKeyFileName } from './backup-files.js'
export type { BackupDeps, BackupSettings, BackupSource } from './backup.deps.js'
export { armoredOf, backupJobs, lastDueAt, runDailyBackup } from './backup.jobs.js'
export { backupMetricLines, registerBackupRoutes } from './backup.routes.js'
export {
  type BackupFileView,
  type BackupStatus,
  backupStatus,
  listBackups,
} from './backup-status.js'
export { type BackupReport, type CreateBackupInput, createBackup } from './create-backup.js'
export { readIdentityKeys, readPublicKeys, readRecipientKeys } from './openpgp-stream.js'
export { maxRetentionDays, pruneBackups } from './retention.js'
export {
  type RestoreInput,
  type RestoreReport,
  type RestoreTarget,
  type TargetModules,
  restoreBackup,
} from './restore-backup.js'
export { signingPublicKeys } from './signing-key.js'
export { type VerifyReport, verifyBackup } from './verify-backup.js'
export { refreshVaults, type VaultReport } from './write-vault.js'
