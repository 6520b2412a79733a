import type { Kysely } from 'kysely'

// One counter, bumped by every crypto-shred: other processes compare it to drop the
// destroyed key from their caches at once (see crypto/key-store.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shred_epoch')
    .addColumn('slot', 'text', (column) => column.primaryKey())
    .addColumn('epoch', 'integer', (column) => column.notNull())
    .execute()
  await (db as Kysely<{ shred_epoch: { slot: string; epoch: number } }>)
    .insertInto('shred_epoch')
    .values({ slot: 'this', epoch: 0 })
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shred_epoch').execute()
}
