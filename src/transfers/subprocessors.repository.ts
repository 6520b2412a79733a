import { sql } from 'kysely'
import type { Database } from '../storage/index.js'
import type { SubprocessorsTable } from './subprocessors.table.js'

export async function insertSubprocessor(db: Database, row: SubprocessorsTable): Promise<void> {
  await db.insertInto('subprocessors').values(row).execute()
}

/** Inserts a seeded default unless the workspace already has it (edited or not). */
export async function insertSeedUnlessPresent(
  db: Database,
  row: SubprocessorsTable,
): Promise<void> {
  await db
    .insertInto('subprocessors')
    .values(row)
    .onConflict((conflict) => conflict.columns(['workspace_id', 'seed_key']).doNothing())
    .execute()
}

/** How many defaults the workspace has, to skip seeding once it has them all. */
export async function countSeeds(db: Database, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('subprocessors')
    .select(sql<number | string>`count(*)`.as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('seed_key', 'is not', null)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** The workspace's own sub-processors and the instance's (`workspaceId` null: the instance's only). */
function visibleTo(db: Database, workspaceId: string | null) {
  return db
    .selectFrom('subprocessors')
    .selectAll()
    .where((where) =>
      workspaceId === null
        ? where('workspace_id', 'is', null)
        : where.or([where('workspace_id', '=', workspaceId), where('workspace_id', 'is', null)]),
    )
}

export async function selectVisible(
  db: Database,
  workspaceId: string | null,
): Promise<SubprocessorsTable[]> {
  return visibleTo(db, workspaceId).orderBy('created_at').orderBy('id').execute()
}

export async function selectVisibleById(
  db: Database,
  workspaceId: string | null,
  id: string,
): Promise<SubprocessorsTable | undefined> {
  return visibleTo(db, workspaceId).where('id', '=', id).executeTakeFirst()
}

export async function updateFields(
  db: Database,
  id: string,
  fields: string,
  updatedAt: string,
): Promise<void> {
  await db
    .updateTable('subprocessors')
    .set({ fields, updated_at: updatedAt })
    .where('id', '=', id)
    .execute()
}
