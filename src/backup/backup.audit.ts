import type { AuditActionCatalogue } from '../audit/index.js'

/** What the backup module writes to the audit log: sizes and times, never contents. */
export const backupAuditActions = {
  'backup.created': {
    when: 'A snapshot was encrypted, signed and written (`backup create`, the daily job)',
    details: ['dialect', 'bytes', 'snapshotBytes', 'durationMs', 'recipients', 'region'],
  },
  'backup.failed': {
    when: 'A backup run broke off; nothing it wrote is kept',
    details: ['dialect', 'reason'],
  },
  'backup.verified': {
    when: 'A backup file was decrypted to nowhere and checked (`backup verify`), or failed to',
    details: ['kind', 'bytes', 'durationMs'],
  },
  'backup.restored': {
    when: 'A snapshot and the current key vault were restored into an empty store (`backup restore`)',
    details: ['dialect', 'bytes', 'subjectKeys', 'erasuresReplayed', 'durationMs'],
  },
  'backup.deleted': {
    when: 'A backup file was overwritten and deleted: past retention, or a superseded key vault',
    details: ['kind', 'reason', 'bytes', 'ageHours', 'retentionDays'],
  },
  'backup.vault_written': {
    when: 'A destination’s key vault was rewritten (every backup, and after every erasure)',
    details: ['bytes', 'subjectKeys', 'erasures', 'durationMs'],
  },
  'backup.refused': {
    when: 'A backup destination was refused: declared outside the instance region',
    details: ['reason', 'region', 'instanceRegion'],
  },
  'backup.signing_key_created': {
    when: 'The instance made its OpenPGP key that signs backups',
    details: [],
  },
} as const satisfies AuditActionCatalogue

export type BackupAuditAction = keyof typeof backupAuditActions
