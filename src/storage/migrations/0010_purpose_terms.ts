import type { Kysely } from 'kysely'
import { dialectOf } from '../column-types.js'

/**
 * The terms of a purpose as a person saw them when they chose: its name, lawful basis,
 * description, data categories and flags, as canonical JSON under its SHA-256. Each
 * grant, withdrawal or objection names the terms it was made under
 * (`consent_events.purpose_terms_sha256`), so its receipt shows what the person agreed
 * to even after the workspace has reworded the purpose or moved it to another basis
 * (Art. 7(1): the controller must be able to show what was consented to).
 *
 * Content-addressed: the same terms are one row however many choices cite them, and a
 * built-in purpose whose wording changes in a release gets a row of its own. Events
 * recorded before this migration cite none (null): what they were shown is not known.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  const migrate = async (trx: Kysely<unknown>) => {
    await trx.schema
      .createTable('consent_purpose_terms')
      .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
      .addColumn('terms_sha256', 'text', (column) => column.notNull())
      .addColumn('terms', 'text', (column) => column.notNull())
      .addColumn('recorded_at', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('consent_purpose_terms_pk', ['workspace_id', 'terms_sha256'])
      .execute()
    await trx.schema
      .alterTable('consent_events')
      .addColumn('purpose_terms_sha256', 'text')
      .execute()
  }
  // As in 0009: SQLite's migrator runs no transaction of its own, and a table made
  // without its column would trip every retry of this migration.
  if (postgres) await migrate(db)
  else await db.transaction().execute(migrate)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent_events').dropColumn('purpose_terms_sha256').execute()
  await db.schema.dropTable('consent_purpose_terms').execute()
}
