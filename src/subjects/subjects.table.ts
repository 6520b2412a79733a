/**
 * The erasure record of one person (migration 0012): the key holders whose keys were
 * destroyed and when each step happened. No identifier and no value: it outlives the
 * person's data, so a crashed erasure can be finished and a restored backup replayed.
 */
export interface SubjectErasuresTable {
  id: string
  workspace_id: string
  /** JSON array of key-holder ids (subject, contact, operator ids). */
  key_holders: string
  /** Who asked: `operator:<id>`, `api-key:<id>` or `system`. */
  requested_by: string
  planned_at: string
  keys_destroyed_at: string | null
  completed_at: string | null
  /** JSON: per source, `{outcome, rows, bases?}`, once completed. */
  outcome: string | null
}
