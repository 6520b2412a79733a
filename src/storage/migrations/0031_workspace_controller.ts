import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * Each workspace's controller record (workspaces/controller.ts): legal name, address,
 * contacts, DPO, representative and supervisory authority, sealed as one envelope under
 * the workspace's own key; null until the workspace records it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('controller', binaryColumnType(db)).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('controller').execute()
}
