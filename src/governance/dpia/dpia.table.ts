/**
 * The DPIA register (Art. 35): each assessment's content as one JSON document
 * (`AssessmentFields`), its sign-off, and the review date kept as a column so the
 * reminder job finds what is overdue without opening every document.
 */
export interface DpiasTable {
  id: string
  workspace_id: string
  /** `custodian-platform` for the instance's own DPIA, seeded once per workspace. */
  seed_key: string | null
  /** JSON of `AssessmentFields`. */
  fields: string
  status: 'draft' | 'signed-off'
  /** JSON `{opinion, signedAt, signedBy}`, or null while a draft. */
  sign_off: string | null
  review_due_on: string
  /** When the DPO was last told it is overdue. */
  reminded_at: string | null
  created_at: string
  updated_at: string
}
