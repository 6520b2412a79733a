import type { ColumnType } from 'kysely'

/**
 * The consent module's tables. Flags are integers 0/1 (SQLite has no boolean and
 * better-sqlite3 binds none); times are ISO 8601 UTC text.
 */

/**
 * A workspace's purpose, stored once it differs from the built-in default of the same
 * name or is the workspace's own. Not personal data.
 */
export interface ConsentPurposesTable {
  workspace_id: string
  name: string
  lawful_basis: string
  description: string
  /** JSON array of data category names, shown in receipts (Kantara `piiCategory`). */
  data_categories: string
  /** 1: direct marketing or profiling for it (Art. 21(2)–(3)); a GPC signal objects to it. */
  direct_marketing: number
  /** 1: evaluates the person automatically (Art. 22); the opt-out stops it. */
  automated_decisions: number
  /** Consents given under a policy older than this sequence number no longer count. */
  min_policy_seq: number
  created_at: string
  updated_at: string
}

/** A version of the privacy notice end-users agree to. Not personal data. */
export interface ConsentPoliciesTable {
  id: string
  workspace_id: string
  /** 1, 2, 3… per workspace, in publication order. */
  seq: number
  version: string
  url: string
  text: string | null
  text_sha256: string | null
  /** JSON array of purpose names this version asks consent for again. */
  reconsent_purposes: string
  published_at: string
}

/**
 * A subject's consent standing: the materialised result of its ledger, kept in the same
 * transaction. Its `id` is the subject's (the subjects module's), whose key seals its
 * proofs. A subject gets a row here once the ledger first writes for it; which subjects
 * are one person (`merged_into`) is the subjects module's to say (migration 0013).
 */
export interface ConsentSubjectsTable {
  id: string
  workspace_id: string
  /** The `seq` of this subject's latest ledger event. */
  event_seq: number
  restricted_at: string | null
  automated_opt_out_at: string | null
  gpc_at: string | null
  /**
   * Whole years declared and when: enough to know the subject is at least N years old
   * now (Art. 8) without keeping a birth date in clear. The declaration itself, birth
   * date included, is sealed in the ledger event.
   */
  declared_age: number | null
  age_declared_at: string | null
  parental_consent_at: string | null
  created_at: string
  updated_at: string
}

/**
 * The subject row as stored: with, beside its flags, what a decision needs of its state
 * per purpose, `{ "marketing": [granted 1/0/null, decidedAt, policySeq, objectedAt] }`
 * as JSON (ledger.rows.ts writes it, from the same standing as its consent_states rows),
 * so a decision reads one row. Written as text; read only through
 * `decision_states -> purpose`, since PostgreSQL (jsonb) hands it back parsed.
 */
export interface ConsentSubjectsStored extends ConsentSubjectsTable {
  decision_states: ColumnType<unknown, string | null | undefined, string | null>
  /**
   * The `event_seq` the decision states were written at. Behind `event_seq` when code
   * from before them appended (migration 0009): the decision then reads consent_states.
   */
  decision_states_seq: ColumnType<number | null, number | null | undefined, number | null>
}

/** A subject's flags as stored: what the decision and the ledger fold read of a subject. */
export type SubjectFlagColumns = Pick<
  ConsentSubjectsTable,
  | 'restricted_at'
  | 'automated_opt_out_at'
  | 'gpc_at'
  | 'declared_age'
  | 'age_declared_at'
  | 'parental_consent_at'
>

/** The latest state of one subject × purpose, kept with every ledger append. */
export interface ConsentStatesTable {
  workspace_id: string
  subject_id: string
  purpose: string
  /** 1 granted, 0 withdrawn, null never decided (only objected, say). */
  granted: number | null
  decided_at: string | null
  policy_id: string | null
  policy_seq: number | null
  policy_version: string | null
  objected_at: string | null
  last_event_id: string
  updated_at: string
}

/**
 * The ledger: one row per grant, withdrawal, objection or signal, never updated. The
 * proof that is personal data (the caller's IP, user agent, the evidence of an age
 * declaration or a parental verification) is sealed under the subject's key.
 */
export interface ConsentEventsTable {
  id: string
  workspace_id: string
  subject_id: string
  seq: number
  action: string
  purpose: string | null
  granted: number | null
  policy_id: string | null
  policy_version: string | null
  source: string
  gpc: number
  actor_type: string
  actor_id: string | null
  request_id: string | null
  recorded_at: string
  ip: Buffer | null
  user_agent: Buffer | null
  evidence: Buffer | null
  /**
   * The purpose's terms this grant, withdrawal or objection was made under (a row of
   * consent_purpose_terms); null for other actions and for events from before them.
   */
  purpose_terms_sha256: string | null
}

/** A purpose's terms as a person saw them (purposes.logic.ts), kept once per wording. */
export interface ConsentPurposeTermsTable {
  workspace_id: string
  /** SHA-256 of `terms`, lower-case hex. */
  terms_sha256: string
  /** Canonical JSON of the terms (`purposeTermsText`). */
  terms: string
  /** When these terms were first cited. */
  recorded_at: string
}
