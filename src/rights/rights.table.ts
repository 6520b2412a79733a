/**
 * The rights module's tables (migration 0014). A request names its person only by a
 * blind index and a sealed envelope under the request's own key: the request is kept as
 * the controller's proof of how it answered (Art. 5(2), 12) after the person is erased,
 * and names no one in clear. Times are ISO 8601 UTC text; dates are `YYYY-MM-DD`.
 */
export interface RightsRequestsTable {
  id: string
  workspace_id: string
  /** access, portability, rectification, erasure, restriction, objection, automated-decision. */
  type: string
  /** received, verifying, in-progress, completed, rejected, withdrawn. */
  status: string
  /** How the request arrived: api, portal, email, post, phone, in-person. */
  channel: string
  /** `operator:<id>`, `api-key:<id>` or `public-key:<id>`: who filed it. */
  filed_by: string
  /** The blind index of the address a portal filing came from, for its rate limit. */
  filed_from_index: Buffer | null
  /** `email` or `external_id`: which identifier named the person. */
  subject_kind: string
  /** The blind index of that identifier: finds the person's requests, reveals nothing. */
  subject_index: Buffer
  /**
   * One envelope under the request's own key: the identifier as given, the email to
   * answer to, the details, and every free-text reason an operator recorded.
   */
  sealed: Buffer
  received_at: string
  due_at: string
  legal_due_date: string
  legal_due_at: string
  extended_due_date: string | null
  extended_due_at: string | null
  /** The open request this one repeats; it is still verified on its own. */
  duplicate_of: string | null
  verified_at: string | null
  /** `code` (the person entered the mailed code), `operator` (by hand, with a reason), `filer` (filed by the controller). */
  verification_method: string | null
  /** SHA-256 of the request id and the current code, hex; null once used or lapsed. */
  code_hash: string | null
  code_expires_at: string | null
  code_attempts: number
  codes_sent: number
  /** When the verification reminder went, or the request lapsed unverified. */
  verification_reminded_at: string | null
  /** Art. 12(5), 17(3), 18, 21: the ground of a rejection. */
  rejection_article: string | null
  /** JSON: the registry sources and purpose terms the request was decided under. */
  decided_under: string | null
  /** JSON: what fulfilment did, in counts and names, never values. */
  outcome: string | null
  /** JSON: the problem of the last failed fulfilment, shown on the request until a retry. */
  failure: string | null
  /** SHA-256 of the export download token, hex. */
  export_token_hash: string | null
  /**
   * SHA-256 of a second download token, hex: the one handed to the authorised agent that
   * filed the request (the Data Rights Protocol's `results_url`), so the person's own
   * link keeps working. Expires with the first (migration 0051).
   */
  agent_export_token_hash: string | null
  export_expires_at: string | null
  due_reminded_at: string | null
  overdue_reminded_at: string | null
  created_at: string
  updated_at: string
  completed_at: string | null
}

/** A request's timeline: every transition and action, with who did it; no values. */
export interface RightsRequestEventsTable {
  id: string
  workspace_id: string
  request_id: string
  at: string
  event: string
  actor: string
  /** Short words, never personal data (a problem code, an article, a count). */
  detail: string | null
}

/** A legal hold (Art. 17(3)(b), (e)): the person's data may not be erased while it stands. */
export interface RightsLegalHoldsTable {
  id: string
  workspace_id: string
  subject_kind: string
  subject_index: Buffer
  basis: string
  /** The reason as the operator wrote it, sealed under the hold's own key. */
  sealed: Buffer
  created_by: string
  created_at: string
  lifted_at: string | null
}
