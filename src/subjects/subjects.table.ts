/**
 * The subjects module's tables: one row per person as the workspace knows them (a
 * visitor, a contact, or both once identify links them), the blind indexes of their
 * identifiers, and the erasure records that outlive them.
 *
 * A subject's `id` is the key holder of the person's data: contacts, the consent ledger
 * and tracking events store it and seal under its key. Two subjects found to be one
 * person are merged by pointing one at the other (`merged_into`), never by moving rows:
 * what was sealed under the absorbed subject's key stays sealed under it, and the
 * person's key holders are the surviving subject and every subject merged into it.
 */

/** One person, or a part of one merged into another (migration 0013). */
export interface SubjectsTable {
  id: string
  workspace_id: string
  /** Set when this subject was found to be the same person as another: that one speaks for it. */
  merged_into: string | null
  created_at: string
}

export type IdentifierKind = 'anonymous_id' | 'external_id' | 'email'

/**
 * One identifier of a subject, as a keyed blind index only: never the identifier itself.
 * An identifier names one subject at most (the key is the digest): it always names the
 * surviving subject, since a merge moves the absorbed subjects' identifiers over.
 */
export interface SubjectIdentifiersTable {
  workspace_id: string
  blind_index: Buffer
  kind: IdentifierKind
  subject_id: string
  created_at: string
}

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
