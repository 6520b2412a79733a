import type { Database } from '../../storage/index.js'
import type { DpiasTable } from './dpia.table.js'

export async function insertDpia(db: Database, row: DpiasTable): Promise<void> {
  await db.insertInto('dpias').values(row).execute()
}

export async function insertSeedUnlessPresent(db: Database, row: DpiasTable): Promise<void> {
  await db
    .insertInto('dpias')
    .values(row)
    .onConflict((conflict) => conflict.columns(['workspace_id', 'seed_key']).doNothing())
    .execute()
}

export async function hasSeed(
  db: Database,
  workspaceId: string,
  seedKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('dpias')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('seed_key', '=', seedKey)
    .executeTakeFirst()
  return row !== undefined
}

export async function selectDpias(db: Database, workspaceId: string): Promise<DpiasTable[]> {
  return db
    .selectFrom('dpias')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function selectDpia(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<DpiasTable | undefined> {
  return db
    .selectFrom('dpias')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function updateDpia(
  db: Database,
  workspaceId: string,
  id: string,
  changes: Partial<
    Pick<
      DpiasTable,
      'fields' | 'status' | 'sign_off' | 'review_due_on' | 'updated_at' | 'reminded_at'
    >
  >,
): Promise<void> {
  await db
    .updateTable('dpias')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

/** Overdue reviews of every workspace not reminded since `remindedBefore`. */
export async function selectOverdueToRemind(
  db: Database,
  today: string,
  remindedBefore: string,
): Promise<DpiasTable[]> {
  return db
    .selectFrom('dpias')
    .selectAll()
    .where('review_due_on', '<', today)
    .where((where) =>
      where.or([where('reminded_at', 'is', null), where('reminded_at', '<', remindedBefore)]),
    )
    .orderBy('workspace_id')
    .orderBy('review_due_on')
    .execute()
}
