import type { Role } from './permissions.js'

export type ApiKeyKind = 'public' | 'secret'

/** A workspace API key. Only its SHA-256 is kept; `prefix` lets people tell keys apart. */
export interface ApiKeysTable {
  id: string
  workspace_id: string
  kind: ApiKeyKind
  label: string
  prefix: string
  secret_hash: string
  created_at: string
  created_by: string | null
  last_used_at: string | null
  revoked_at: string | null
}

/**
 * A workspace's staff member. Account data (email, names, picture) is personal data
 * and sealed under the operator's own subject key; `email_index` is its blind index.
 */
export interface OperatorsTable {
  id: string
  workspace_id: string
  email_index: Buffer
  /**
   * Blind index of the email under the instance's index key, the same in every
   * workspace: finds an operator's accounts for a sign-in by email alone. Null for an
   * operator made before it existed, until their next sign-in or setup fills it.
   */
  email_lookup: Buffer | null
  email: Buffer
  first_name: Buffer | null
  last_name: Buffer | null
  picture_url: Buffer | null
  role: Role
  password_hash: string | null
  /** Sealed base32 TOTP secret; present from enrolment, active once `totp_enabled_at` is set. */
  totp_secret: Buffer | null
  totp_enabled_at: string | null
  /** The last accepted TOTP time step: a code is never accepted twice. */
  totp_last_step: number | null
  created_at: string
  updated_at: string
  disabled_at: string | null
}

export type OperatorTokenPurpose = 'setup'

/** One-time setup links, stored as hashes. */
export interface OperatorTokensTable {
  token_hash: string
  operator_id: string
  workspace_id: string
  purpose: OperatorTokenPurpose
  expires_at: string
  used_at: string | null
  created_at: string
}

export interface RecoveryCodesTable {
  operator_id: string
  code_hash: string
  workspace_id: string
  used_at: string | null
  created_at: string
}

export interface SessionsTable {
  id: string
  token_hash: string
  workspace_id: string
  operator_id: string
  created_at: string
  last_seen_at: string
  expires_at: string
  revoked_at: string | null
}

export type SignInAttemptState = 'pending' | 'failed'

/** Sign-in attempts per throttle key: reservations and failures (see sign-in-attempts.ts). */
export interface SignInAttemptsTable {
  throttle_key: string
  attempt_id: string
  state: SignInAttemptState
  /** Until when the row counts: the reservation's expiry while pending, the window's end once failed. */
  expires_at: string
}

/** One row per throttle key, upserted before counting: its row lock serialises counting on PostgreSQL. */
export interface SignInThrottlesTable {
  throttle_key: string
  touched_at: string
}
