/**
 * A CRM profile. `profile` is one sealed JSON envelope (email, name, external id,
 * custom attributes, enrichment with provenance) under the contact's own subject key;
 * the blind indexes find a contact by email or external id without opening anything.
 * Unique per workspace: two NULLs never collide, so contacts without an email coexist.
 */
export interface ContactsTable {
  id: string
  workspace_id: string
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
