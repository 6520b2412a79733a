/**
 * The sub-processor registry (Art. 28(2), (4)): who personal data may be sent to, under
 * which agreement and transfer mechanism. One row per sub-processor; its fields are one
 * JSON document (`SubprocessorFields`), checked by the registry's schema on the way in.
 */
export interface SubprocessorsTable {
  id: string
  /** Null for the instance's own (mail relay, backup destination), shared by every workspace. */
  workspace_id: string | null
  /** The default it was seeded from (`subprocessor-defaults.ts`), so it is seeded once. */
  seed_key: string | null
  /** JSON of `SubprocessorFields`. */
  fields: string
  created_at: string
  updated_at: string
}
