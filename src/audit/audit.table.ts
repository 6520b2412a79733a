import type { ColumnType } from 'kysely'

/**
 * PostgreSQL hands `bigint` back as a string (it can exceed 2^53), SQLite as a number;
 * both accept a number on insert. Read through `toSeq` in the repository.
 */
export type SeqColumn = ColumnType<number | string, number, number>

/**
 * One entry of the instance-wide, append-only, hash-chained audit log. Every column
 * except `hash` is covered by `hash` (see `chain.logic.ts`); the table is declared
 * append-only in the database by triggers (migration 0003).
 */
export interface AuditEntriesTable {
  /** Position in the one chain of this instance: 1, 2, 3… with no gap. */
  seq: SeqColumn
  id: string
  /** When the event happened, ISO 8601 UTC from the injected clock. */
  at: string
  /** Null for platform events (an instance-wide failed login, a key created by the CLI). */
  workspace_id: string | null
  actor_type: string
  actor_id: string | null
  /** A dotted verb: `contact.read`, `auth.login_failed`, `api_key.created`… */
  action: string
  resource_type: string | null
  resource_id: string | null
  /** Blind index (hex) of the data subject's id: looks up a subject, never reveals one. */
  subject_ref: string | null
  purpose: string | null
  outcome: string
  request_id: string | null
  /** The caller's IP, sealed under the actor's subject key; never in clear. */
  ip_sealed: Buffer | null
  /** Canonical JSON text (sorted keys) of small facts that are not personal data. */
  details: string | null
  prev_hash: Buffer
  hash: Buffer
}

/**
 * The chain's head, one row (`slot = 'head'`), moved in the same transaction as every
 * append. It pins the newest entry, so deleting that entry is detected too, and on
 * PostgreSQL its row lock (FOR UPDATE) is what serialises appends from many processes.
 */
/**
 * Where the chain starts once retention has removed its oldest entries (one row, `slot =
 * 'anchor'`): the last entry removed, with its hash, which the first kept entry chains
 * to, sealed under the master key as the head is. Absent until a first purge.
 */
export interface AuditAnchorTable {
  slot: string
  seq: SeqColumn
  last_id: string
  hash: Buffer
  moved_at: string
  seal: Buffer
}

export interface AuditChainHeadTable {
  slot: string
  seq: SeqColumn
  last_id: string | null
  hash: Buffer
  /**
   * The head (seq, last id, hash) sealed by the keyring: an authentication tag keyed,
   * through the key hierarchy, by the master key. Someone who can write to the database
   * but lacks the master key cannot truncate the chain or recompute it and move the head.
   * Null only on the genesis row, before the first append.
   */
  seal: Buffer | null
}
