import type { Database } from '../../storage/index.js'
import type { DataMapExtensionsTable } from './data-map.table.js'

export async function selectExtensions(
  db: Database,
  workspaceId: string,
): Promise<DataMapExtensionsTable[]> {
  return db
    .selectFrom('data_map_extensions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('category')
    .execute()
}

/** Adds the category, or replaces the workspace's entry of that name. */
export async function upsertExtension(db: Database, row: DataMapExtensionsTable): Promise<void> {
  await db
    .insertInto('data_map_extensions')
    .values(row)
    .onConflict((conflict) =>
      conflict
        .columns(['workspace_id', 'category'])
        .doUpdateSet({ entry: row.entry, updated_at: row.updated_at }),
    )
    .execute()
}

export async function deleteExtension(
  db: Database,
  workspaceId: string,
  category: string,
): Promise<number> {
  const result = await db
    .deleteFrom('data_map_extensions')
    .where('workspace_id', '=', workspaceId)
    .where('category', '=', category)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
