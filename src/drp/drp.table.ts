/**
 * The Data Rights Protocol door's tables (migration 0050). Times are ISO 8601 UTC text.
 */

/**
 * An authorised agent a workspace accepts requests from: its DRP id, the Ed25519 key its
 * requests are signed with, and the hash of the pair-wise token it presents. Nothing
 * about any person.
 */
export interface DrpAgentsTable {
  id: string
  workspace_id: string
  /** The agent's `agent-id`, as the DRP directory names it. */
  agent_id: string
  name: string
  /** The raw 32-byte Ed25519 public key its requests are verified with. */
  verify_key: Buffer
  /** SHA-256 of the pair-wise bearer token, hex; null until the agent sets one up. */
  token_hash: string | null
  token_issued_at: string | null
  /** `operator:<id>` or `api-key:<id>`: who registered the agent. */
  created_by: string
  created_at: string
}

/**
 * One exercise an agent filed: the DRP side of a rights request (the person's identifier,
 * the claims and the clocks live in the rights request). Its `id` is the DRP
 * `request_id`. What the agent may have tied to the person (its own request id, its
 * callback URL, the results link) is sealed under the row's own key.
 */
export interface DrpRequestsTable {
  id: string
  workspace_id: string
  /** The rights request it became; null only while it is being filed. */
  rights_request_id: string | null
  /** The agent row that filed it, and its DRP id (kept if the agent is removed). */
  agent_ref: string
  agent_id: string
  /** SHA-256 of the agent's `agent-request-id`, hex: one request per id and agent. */
  agent_request_hash: string | null
  exercise: string
  regime: string | null
  /** The blind index of the email that names the person (the registry finds it by this). */
  subject_index: Buffer
  /** JSON sealed under the row's own key: agent request id, callback URL, results link. */
  sealed: Buffer
  /** The DRP state last reported to the agent (answer, callback or status read). */
  status: string
  reason: string | null
  expected_by: string | null
  /** When the next callback attempt is due; null when nothing waits to be delivered. */
  callback_due_at: string | null
  callback_attempts: number
  /** What the last failed attempt met: an HTTP status, `timeout`, `transfer_refused`… */
  callback_last_error: string | null
  callback_delivered_at: string | null
  created_at: string
  updated_at: string
}

/**
 * Signed messages already accepted, by the SHA-256 of their bytes, until they expire:
 * the same signed request is never taken twice (a replay).
 */
export interface DrpSeenMessagesTable {
  hash: string
  workspace_id: string
  expires_at: string
}
