import type { Kysely } from 'kysely'

/**
 * A vault records how many crypto-shreds the database had seen when it was read
 * (crypto's shred epoch). The vault job rewrites a vault older than the newest shred,
 * not only than the newest erasure: a redacted message's own key, or a key retention
 * destroyed with a purged message, must leave the backups as promptly as an erased
 * person's (Art. 17, 5(1)(e)).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('backup_files').addColumn('shred_epoch', 'bigint').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('backup_files').dropColumn('shred_epoch').execute()
}
