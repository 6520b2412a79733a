import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock.js'
import type { Database } from './database.js'

export interface Instance {
  id: string
  region: string
  createdAt: string
}

/**
 * Reads this installation's identity, making it on first start. The region is fixed at
 * that moment: data that was promised to stay in one region does not move because a
 * later start was configured differently.
 */
export async function ensureInstance(
  db: Database,
  clock: Clock,
  region: string,
): Promise<Instance> {
  await db
    .insertInto('instance')
    .values({ slot: 'this', id: randomUUID(), region, created_at: clock.now().toISOString() })
    .onConflict((conflict) => conflict.doNothing())
    .execute()
  const row = await db
    .selectFrom('instance')
    .selectAll()
    .where('slot', '=', 'this')
    .executeTakeFirstOrThrow()
  return { id: row.id, region: row.region, createdAt: row.created_at }
}
