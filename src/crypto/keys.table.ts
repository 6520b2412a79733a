/**
 * The crypto module's tables. Only wrapped keys are stored: every key here is
 * encrypted under the key above it, so a copy of these tables without the master key
 * opens nothing. Workspaces have no table yet, so `workspace_id` carries no foreign key.
 */

/** One row: proof, made with the first master key, that the configured key is that key. */
export interface KeyCheckTable {
  slot: 'this'
  /** Which kind of key provider made the check, e.g. `local`. */
  provider: string
  canary: Buffer
  created_at: string
}

export type WorkspaceKeyStatus = 'active' | 'retiring' | 'retired'

/** A workspace key, one row per version; exactly one version is `active`. */
export interface WorkspaceKeysTable {
  workspace_id: string
  version: number
  /** Wrapped by the master key; null once the version is retired and destroyed. */
  wrapped_key: Buffer | null
  status: WorkspaceKeyStatus
  created_at: string
  retired_at: string | null
}

export type SubjectKeyStatus = 'active' | 'retired'

/**
 * A data subject's data key, one row per version. The newest `active` version seals;
 * `retired` versions still open what was sealed under them. Deleting every row of a
 * subject is crypto-shredding.
 */
export interface SubjectKeysTable {
  workspace_id: string
  subject_id: string
  version: number
  /** Wrapped by the workspace key version below. */
  wrapped_key: Buffer
  workspace_key_version: number
  status: SubjectKeyStatus
  created_at: string
}

/**
 * The key of a workspace's blind indexes; wrapped by the master key, never rotated. The
 * row whose `workspace_id` is `instance` holds the instance's own index key
 * (`Keyring.instanceBlindIndex`).
 */
export interface BlindIndexKeysTable {
  workspace_id: string
  wrapped_key: Buffer
  created_at: string
}

/** One row: how many crypto-shreds there have been, for other processes' key caches. */
export interface ShredEpochTable {
  slot: 'this'
  epoch: number
}
