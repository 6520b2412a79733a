import type { Insertable, Selectable } from 'kysely'
import type { Database } from '../storage/index.js'
import type { WorkspacesTable } from './workspaces.table.js'

export async function insertWorkspace(
  db: Database,
  row: Insertable<WorkspacesTable>,
): Promise<void> {
  await db.insertInto('workspaces').values(row).execute()
}

export async function findWorkspace(
  db: Database,
  workspaceId: string,
): Promise<Selectable<WorkspacesTable> | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', workspaceId).executeTakeFirst()
}

export async function updateWorkspace(
  db: Database,
  workspaceId: string,
  changes: { name?: string; settings?: string; updated_at?: string; controller?: Buffer },
): Promise<void> {
  await db.updateTable('workspaces').set(changes).where('id', '=', workspaceId).execute()
}

export async function listWorkspaces(db: Database): Promise<Selectable<WorkspacesTable>[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('id').execute()
}

/** The sealed controller record, or null until one is recorded. */
export async function findController(db: Database, workspaceId: string): Promise<Buffer | null> {
  const row = await db
    .selectFrom('workspaces')
    .select('controller')
    .where('id', '=', workspaceId)
    .executeTakeFirst()
  return row?.controller ?? null
}
