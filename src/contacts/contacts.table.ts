/**
 * A CRM profile. `profile` is one sealed JSON envelope (email, name, external id,
 * custom attributes, enrichment with provenance) under the key of the person's subject
 * (`subject_id`, the subjects module's); the blind indexes find a contact by email or
 * external id without opening anything. Unique per workspace: two NULLs never collide,
 * so contacts without an email coexist.
 */
export interface ContactsTable {
  id: string
  workspace_id: string
  /**
   * The subject whose key seals the profile: the person's (a visitor who signed in
   * before is the same subject), or the contact's own id for a new person and for a
   * contact made before migration 0013, which was sealed under its own id.
   */
  subject_id: string
  email_index: Buffer | null
  external_id_index: Buffer | null
  profile: Buffer
  /** When the end-user was last seen: kept readable for retention and sorting. */
  last_activity_at: string | null
  created_at: string
  updated_at: string
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'date'

export interface ContactAttributesTable {
  workspace_id: string
  name: string
  type: AttributeType
  created_at: string
}
