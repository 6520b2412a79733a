/**
 * A workspace's additions to the instance's data map: categories of its own (say,
 * `loyalty-points`), each one JSON document checked by `DataMapCategorySchema`.
 */
export interface DataMapExtensionsTable {
  workspace_id: string
  category: string
  /** JSON of `DataMapCategory`. */
  entry: string
  created_at: string
  updated_at: string
}
