import type { ColumnType } from 'kysely'

/** A tenant: one business (the controller) and everything it holds. */
export interface WorkspacesTable {
  id: string
  /** The business's name; not personal data, so kept readable for operations. */
  name: string
  region: string
  /** JSON of `WorkspaceSettings`. */
  settings: string
  /**
   * The controller record (`controller.ts`), sealed under the workspace's own key; null
   * until recorded. Optional on insert, so a workspace is made without one.
   */
  controller: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>
  created_at: string
  updated_at: string
}
