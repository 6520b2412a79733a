/**
 * The backup module's tables (migration 0060). They name no one: files, sizes, times,
 * fingerprints of OpenPGP keys, and the instance's own signing key sealed.
 */

/** `snapshot`: a copy of the data; `vault`: the subject keys kept apart from the snapshots. */
export type BackupFileKind = 'snapshot' | 'vault'

/** `good` once written and signed; `failed` when a run broke off; `deleted` once removed. */
export type BackupFileStatus = 'good' | 'failed' | 'deleted'

/** One row per file the instance wrote into a backup destination. */
export interface BackupFilesTable {
  id: string
  kind: BackupFileKind
  /** The destination directory, absolute. */
  directory: string
  file_name: string
  /** `sqlite` or `postgres`: which restore reads it. */
  dialect: string
  status: BackupFileStatus
  started_at: string
  finished_at: string | null
  /** Bytes of the OpenPGP file on disk. bigint on PostgreSQL: read with Number(). */
  size_bytes: number | string | null
  /** Bytes of the clear payload inside it (the snapshot, the vault). */
  payload_bytes: number | string | null
  /** SHA-256 of the clear payload, hex: `backup verify` compares it. */
  payload_sha256: string | null
  /** Fingerprint of the instance key that signed it. */
  signed_by: string | null
  /** Fingerprints of the OpenPGP keys it is encrypted to, comma-separated. */
  recipients: string
  /** The destination's declared region (CUSTODIAN_BACKUP_REGION). */
  region: string
  deleted_at: string | null
  /**
   * A vault's: crypto's shred epoch when its keys were read (null for snapshots). bigint
   * on PostgreSQL: read with Number().
   */
  shred_epoch: number | string | null
}

/** A directory backups were written to, with whom they are encrypted for: the vault job rewrites its vault. */
export interface BackupDestinationsTable {
  directory: string
  region: string
  /** The recipients' armored OpenPGP public keys, one after the other. */
  recipient_keys: string
  updated_at: string
}

/** The instance's OpenPGP key that signs every backup; one `active` row. */
export interface BackupSigningKeysTable {
  id: string
  fingerprint: string
  /** The armored public key, given to whoever verifies a backup away from the instance. */
  public_key: string
  /** The armored private key, sealed under a key of its own (see signing-key.ts). */
  private_key: Buffer
  status: 'active' | 'retired'
  created_at: string
}
