/** A tenant: one business (the controller) and everything it holds. */
export interface WorkspacesTable {
  id: string
  /** The business's name; not personal data, so kept readable for operations. */
  name: string
  region: string
  /** JSON of `WorkspaceSettings`. */
  settings: string
  created_at: string
  updated_at: string
}
