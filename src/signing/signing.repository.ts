import { sql } from 'kysely'
import type { Database } from '../storage/index.js'
import type { WorkspaceSigningKeysTable } from './signing.table.js'

export async function selectCurrentKey(
  db: Database,
  workspaceId: string,
): Promise<WorkspaceSigningKeysTable | undefined> {
  return db
    .selectFrom('workspace_signing_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('retired_at', 'is', null)
    .executeTakeFirst()
}

/** Every key the workspace ever signed with: retired ones in the order they retired, then the current. */
export async function selectAllKeys(
  db: Database,
  workspaceId: string,
): Promise<WorkspaceSigningKeysTable[]> {
  return db
    .selectFrom('workspace_signing_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy(sql`retired_at is null`)
    .orderBy('retired_at')
    .orderBy('created_at')
    .execute()
}

/**
 * Inserts the workspace's current key unless it has one already: the partial unique
 * index on the current key makes a second process's insert a no-op, not a second key.
 */
export async function insertCurrentKeyUnlessPresent(
  db: Database,
  row: WorkspaceSigningKeysTable,
): Promise<void> {
  await db
    .insertInto('workspace_signing_keys')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('workspace_id').where('retired_at', 'is', null).doNothing(),
    )
    .execute()
}

export async function retireKey(db: Database, id: string, retiredAt: string): Promise<number> {
  const result = await db
    .updateTable('workspace_signing_keys')
    .set({ retired_at: retiredAt })
    .where('id', '=', id)
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
