import type { Kysely } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

/**
 * Sign-in attempts are counted before the password is hashed (identity/sign-in-attempts.ts):
 * `sign_in_attempts` holds each key's reservations and failures with their expiry, and
 * `sign_in_throttles` one row per key whose lock serialises counting. They replace
 * `login_failures` (counted after the hash) and the per-operator counter and lock
 * (`failed_logins`, `locked_until`): an account is now throttled by its email's blind
 * index, so an unknown email is throttled the same way. Both only ever held transient
 * counts: nothing of value is dropped.
 *
 * `operators.email_lookup` is the email's blind index under the instance's index key, so
 * a sign-in by email alone finds the operator's accounts in every workspace. A migration
 * holds no keys to compute it: operators made before it get it at their next sign-in or
 * setup, and until then are found through their workspace's own index (sign-in.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  const migrate = async (trx: Kysely<unknown>) => {
    await trx.schema
      .createTable('sign_in_attempts')
      .addColumn('throttle_key', 'text', (column) => column.notNull())
      .addColumn('attempt_id', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('expires_at', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('sign_in_attempts_pk', ['throttle_key', 'attempt_id'])
      .execute()
    await trx.schema
      .createIndex('sign_in_attempts_by_expiry')
      .on('sign_in_attempts')
      .column('expires_at')
      .execute()
    await trx.schema
      .createTable('sign_in_throttles')
      .addColumn('throttle_key', 'text', (column) => column.primaryKey())
      .addColumn('touched_at', 'text', (column) => column.notNull())
      .execute()
    await trx.schema.dropTable('login_failures').execute()
    await trx.schema.alterTable('operators').addColumn('email_lookup', binary).execute()
    await trx.schema
      .createIndex('operators_by_email_lookup')
      .on('operators')
      .column('email_lookup')
      .execute()
    await trx.schema.alterTable('operators').dropColumn('failed_logins').execute()
    await trx.schema.alterTable('operators').dropColumn('locked_until').execute()
  }
  // As in 0009: SQLite's migrator runs no transaction of its own.
  if (dialectOf(db) === 'postgres') await migrate(db)
  else await db.transaction().execute(migrate)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('operators')
    .addColumn('failed_logins', 'integer', (column) => column.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('operators').addColumn('locked_until', 'text').execute()
  await db.schema.dropIndex('operators_by_email_lookup').execute()
  await db.schema.alterTable('operators').dropColumn('email_lookup').execute()
  await db.schema
    .createTable('login_failures')
    .addColumn('throttle_key', 'text', (column) => column.notNull())
    .addColumn('window_start', 'text', (column) => column.notNull())
    .addColumn('failures', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('login_failures_pk', ['throttle_key', 'window_start'])
    .execute()
  await db.schema.dropTable('sign_in_throttles').execute()
  await db.schema.dropTable('sign_in_attempts').execute()
}
