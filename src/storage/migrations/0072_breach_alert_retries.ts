import type { Kysely } from 'kysely'

/**
 * A failed alert webhook is tried again (breach/detect.ts): how many times it was tried
 * and when it is next due. An alert that cannot reach the security channel must not be
 * lost to one network blip, and must not be posted again and again either.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('breach_alerts')
    .addColumn('delivery_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('breach_alerts').addColumn('next_delivery_at', 'text').execute()
  await db.schema
    .createIndex('breach_alerts_next_delivery')
    .on('breach_alerts')
    .column('next_delivery_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('breach_alerts_next_delivery').execute()
  await db.schema.alterTable('breach_alerts').dropColumn('next_delivery_at').execute()
  await db.schema.alterTable('breach_alerts').dropColumn('delivery_attempts').execute()
}
