import type { Database } from '../storage/index.js'
import type { WrapContext } from './key-wrap.js'
import type { WorkspaceKeysTable } from './keys.table.js'
import { locksRows } from '../storage/index.js'

/** SQL for workspace keys. Every function takes the workspace id. */

export function workspaceKeyContext(workspaceId: string, version: number): WrapContext {
  return { purpose: 'workspace-key', workspace: workspaceId, version: String(version) }
}

/** What a workspace's blind-index key is wrapped for, under the master key. */
export function blindIndexKeyContext(workspaceId: string): WrapContext {
  return { purpose: 'blind-index-key', workspace: workspaceId }
}

export type WorkspaceKeyRow = Pick<WorkspaceKeysTable, 'version' | 'wrapped_key' | 'status'>

/**
 * The active version. `lock` takes a row lock on PostgreSQL: `share` while wrapping
 * subject keys under it, `update` while rotating it, so rotation waits for subject
 * keys being made under the old version and those made after it see the new one.
 */
export async function selectActiveWorkspaceKey(
  db: Database,
  workspaceId: string,
  lock?: 'share' | 'update',
): Promise<WorkspaceKeyRow | undefined> {
  let query = db
    .selectFrom('workspace_keys')
    .select(['version', 'wrapped_key', 'status'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'active')
  if (lock !== undefined && locksRows(db)) {
    query = lock === 'share' ? query.forShare() : query.forUpdate()
  }
  return query.executeTakeFirst()
}

export async function selectWorkspaceKey(
  db: Database,
  workspaceId: string,
  version: number,
  lock?: 'update',
): Promise<WorkspaceKeyRow | undefined> {
  let query = db
    .selectFrom('workspace_keys')
    .select(['version', 'wrapped_key', 'status'])
    .where('workspace_id', '=', workspaceId)
    .where('version', '=', version)
  if (lock !== undefined && locksRows(db)) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** Versions still waiting for their subject keys to be re-wrapped. */
export async function selectRetiringVersions(db: Database, workspaceId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('workspace_keys')
    .select('version')
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'retiring')
    .orderBy('version')
    .execute()
  return rows.map((row) => row.version)
}

export async function selectNewestVersion(db: Database, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('workspace_keys')
    .select((eb) => eb.fn.max('version').as('newest'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst()
  return row?.newest ?? 0
}

/** Inserts a version unless it (or another active version) exists; true when inserted. */
export async function insertWorkspaceKey(
  db: Database,
  row: { workspaceId: string; version: number; wrappedKey: Buffer; createdAt: string },
): Promise<boolean> {
  const result = await db
    .insertInto('workspace_keys')
    .values({
      workspace_id: row.workspaceId,
      version: row.version,
      wrapped_key: row.wrappedKey,
      status: 'active',
      created_at: row.createdAt,
      retired_at: null,
    })
    .onConflict((conflict) => conflict.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function markRetiring(
  db: Database,
  workspaceId: string,
  version: number,
): Promise<void> {
  await db
    .updateTable('workspace_keys')
    .set({ status: 'retiring' })
    .where('workspace_id', '=', workspaceId)
    .where('version', '=', version)
    .execute()
}

/** Destroys a version's wrapped key: nothing is wrapped under it any more. */
export async function markRetired(
  db: Database,
  workspaceId: string,
  version: number,
  retiredAt: string,
): Promise<void> {
  await db
    .updateTable('workspace_keys')
    .set({ status: 'retired', wrapped_key: null, retired_at: retiredAt })
    .where('workspace_id', '=', workspaceId)
    .where('version', '=', version)
    .execute()
}

/** Every workspace that has keys, for rotating them all. */
export async function listKeyedWorkspaces(db: Database): Promise<string[]> {
  const rows = await db
    .selectFrom('workspace_keys')
    .select('workspace_id')
    .distinct()
    .orderBy('workspace_id')
    .execute()
  return rows.map((row) => row.workspace_id)
}
