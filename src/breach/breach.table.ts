import type { ColumnType } from 'kysely'

/**
 * One entry of the breach register (Art. 33(5)): every personal data breach, notified
 * or not, with its facts, effects and the remedial action taken. Names no one: the
 * free text (description, consequences, measures, the DPO's assessment, the reasons of
 * the Art. 33 and 34 decisions) is sealed under the workspace's own key in `narrative`,
 * as an operator may write anything there.
 */
export interface BreachIncidentsTable {
  id: string
  workspace_id: string
  /** `open` or `closed`. */
  status: string
  discovered_at: string
  /** When the controller became aware (Art. 33(1)): the 72-hour clock starts here. */
  aware_at: string
  authority_deadline: string
  /** JSON array: `confidentiality`, `integrity`, `availability`. */
  nature: string
  /** JSON array of data categories (the registry's names). */
  categories: string
  approx_subjects: number | null
  approx_records: number | null
  narrative: Buffer
  /** `notify` or `not-required` (Art. 33(1)), null until decided. */
  art33_decision: string | null
  /** `communicate` or `not-required` (Art. 34(1), (3)), null until decided. */
  art34_decision: string | null
  authority_notified_at: string | null
  subjects_informed_at: string | null
  /** The window and actor whose audit trail gives the affected subjects. */
  window_from: string | null
  window_until: string | null
  actor_type: string | null
  actor_id: string | null
  /** The alert that opened it, when a detection rule did. */
  alert_id: string | null
  /** When the 48-hour warning was given, and when the 72-hour deadline was flagged. */
  warned_at: string | null
  overdue_at: string | null
  created_at: string
  updated_at: string
}

/** An alert a detection rule raised, with its evidence: counts and ids, never contents. */
export interface BreachAlertsTable {
  id: string
  /** Null for the platform's own events (failed sign-ins naming no account). */
  workspace_id: string | null
  rule: string
  raised_at: string
  /** `warning` or `critical`. */
  severity: string
  /** JSON: counts, thresholds, the audit seqs involved, pseudonymous actor ids. */
  evidence: string
  incident_id: string | null
  /** What became of the webhook: `none`, `pending`, `delivered`, `refused`, `failed`. */
  delivery: string
  /** Webhook posts tried so far. */
  delivery_attempts: number
  /** When a failed post is next tried; null when delivered, refused or given up. */
  next_delivery_at: string | null
}

/**
 * The detection rules' place in the audit stream (one row, `slot = 'stream'`): the last
 * entry read, with its hash, so each pass reads on from there and checks the chain as it
 * goes, and the rules' sliding windows and baselines as JSON.
 */
export interface BreachDetectionTable {
  slot: string
  cursor_seq: ColumnType<number | string, number, number>
  cursor_hash: string
  cursor_id: string | null
  state: string
  updated_at: string
}
