import type { Database } from '../storage/index.js'
import type { WorkspacesTable } from './workspaces.table.js'

export async function insertWorkspace(db: Database, row: WorkspacesTable): Promise<void> {
  await db.insertInto('workspaces').values(row).execute()
}

export async function findWorkspace(
  db: Database,
  workspaceId: string,
): Promise<WorkspacesTable | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst()
}

export async function updateWorkspace(
  db: Database,
  workspaceId: string,
  changes: Partial<Pick<WorkspacesTable, 'name' | 'settings' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('workspaces').set(changes).where('id', '=', workspaceId).execute()
}

export async function listWorkspaces(db: Database): Promise<WorkspacesTable[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('id').execute()
}
