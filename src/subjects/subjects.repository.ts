import type { Database } from '../storage/index.js'
import type { SubjectErasuresTable } from './subjects.table.js'

// SQL of the subjects module: the erasure records.

export async function insertErasure(db: Database, row: SubjectErasuresTable): Promise<void> {
  await db.insertInto('subject_erasures').values(row).execute()
}

export async function markKeysDestroyed(db: Database, id: string, at: string): Promise<void> {
  await db
    .updateTable('subject_erasures')
    .set({ keys_destroyed_at: at })
    .where('id', '=', id)
    .where('keys_destroyed_at', 'is', null)
    .execute()
}

export async function completeErasure(
  db: Database,
  id: string,
  at: string,
  outcome: object,
): Promise<void> {
  await db
    .updateTable('subject_erasures')
    .set({ completed_at: at, outcome: JSON.stringify(outcome) })
    .where('id', '=', id)
    .execute()
}

/** Erasures a crash left unfinished, oldest first. */
export async function selectOpenErasures(db: Database): Promise<SubjectErasuresTable[]> {
  return db
    .selectFrom('subject_erasures')
    .selectAll()
    .where('completed_at', 'is', null)
    .orderBy('planned_at')
    .execute()
}

/** Every erasure of a workspace, oldest first: what a restored backup must replay. */
export async function selectErasures(
  db: Database,
  workspaceId: string,
): Promise<SubjectErasuresTable[]> {
  return db
    .selectFrom('subject_erasures')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('planned_at')
    .execute()
}
