import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

/**
 * One person, one key holder (issue 16): the subjects module takes over who a person is.
 *
 * - `subjects`: one row per subject, with `merged_into` moved here from
 *   consent_subjects (a subject merged into another is a fact about the person, not
 *   about their consents). Every consent subject becomes a subject of the same id.
 * - `subject_identifiers`: the blind indexes of consent_subject_identifiers, rebuilt
 *   under the new name rather than renamed, because its foreign key pointed at
 *   consent_subjects and now points at subjects (SQLite cannot change a constraint in
 *   place). Same key, same index, same rows.
 * - `contacts.subject_id`: the subject whose key seals the contact's profile. A contact
 *   made before this migration was sealed under its own id, so it keeps that id as its
 *   subject id and opens as before, with nothing re-sealed. Its subject is merged into
 *   the subject its external id names (a visitor identify linked to it), else the one
 *   its email names (consent recorded by email), so that the legacy contact and the
 *   legacy visitor resolve to one person; its identifiers no subject has yet are given
 *   to that person. An identifier another subject already has stays there: merging two
 *   subjects' consents needs the ledger's rules (the subjects module's `linkSubjects`
 *   with the consent module's fold), which a migration must not copy.
 *
 * `down` restores the previous tables for data this migration made. It cannot restore a
 * contact made afterwards under a subject that is not its own id: the older code would
 * look for its key under the contact id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  if (postgres) await migrateUp(db)
  // On SQLite the migrator runs no transaction: one failing step must not leave half.
  else await db.transaction().execute(migrateUp)
}

async function migrateUp(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  // Read by id on every consent decision by subject id: clustered on SQLite, as
  // consent_subjects is (0005), so one b-tree search finds the row.
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``
  await db.schema
    .createTable('subjects')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('merged_into', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .modifyEnd(clustered)
    .execute()
  // Only merged subjects are in it (see consent_subjects_merged in 0005).
  await db.schema
    .createIndex('subjects_merged')
    .on('subjects')
    .column('merged_into')
    .where('merged_into', 'is not', null)
    .execute()
  await sql`insert into subjects (id, workspace_id, merged_into, created_at)
    select id, workspace_id, merged_into, created_at from consent_subjects`.execute(db)

  // Keyed by the digest first, as before (0005 says why).
  await db.schema
    .createTable('subject_identifiers')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('blind_index', binary, (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull().references('subjects.id'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('subject_identifiers_pk', ['blind_index', 'workspace_id'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createIndex('subject_identifiers_subject')
    .on('subject_identifiers')
    .columns(['subject_id', 'workspace_id'])
    .execute()
  await sql`insert into subject_identifiers (workspace_id, blind_index, kind, subject_id, created_at)
    select workspace_id, blind_index, kind, subject_id, created_at
    from consent_subject_identifiers`.execute(db)
  await db.schema.dropTable('consent_subject_identifiers').execute()

  await db.schema.dropIndex('consent_subjects_merged').execute()
  await db.schema.alterTable('consent_subjects').dropColumn('merged_into').execute()

  // NOT NULL needs a default for the rows already there (SQLite adds no NOT NULL column
  // without one); every row gets its value just below, and every insert names one.
  await db.schema
    .alterTable('contacts')
    .addColumn('subject_id', 'text', (column) => column.notNull().defaultTo(''))
    .execute()
  await sql`update contacts set subject_id = id`.execute(db)
  await db.schema
    .createIndex('contacts_subject')
    .on('contacts')
    .columns(['subject_id', 'workspace_id'])
    .execute()
  await sql`insert into subjects (id, workspace_id, merged_into, created_at)
    select c.id, c.workspace_id,
      coalesce(
        (select i.subject_id from subject_identifiers i
          where i.workspace_id = c.workspace_id and i.blind_index = c.external_id_index),
        (select i.subject_id from subject_identifiers i
          where i.workspace_id = c.workspace_id and i.blind_index = c.email_index)),
      c.created_at
    from contacts c
    where not exists (select 1 from subjects s where s.id = c.id)`.execute(db)
  for (const [column, kind] of [
    ['external_id_index', 'external_id'],
    ['email_index', 'email'],
  ] as const) {
    const index = sql.ref(`c.${column}`)
    await sql`insert into subject_identifiers (workspace_id, blind_index, kind, subject_id, created_at)
      select c.workspace_id, ${index}, ${kind}, coalesce(s.merged_into, s.id), c.created_at
      from contacts c join subjects s on s.id = c.subject_id
      where ${index} is not null
        and not exists (select 1 from subject_identifiers i
          where i.workspace_id = c.workspace_id and i.blind_index = ${index})`.execute(db)
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  if (postgres) await migrateDown(db)
  else await db.transaction().execute(migrateDown)
}

async function migrateDown(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  const clustered = dialectOf(db) === 'sqlite' ? sql`without rowid` : sql``
  await db.schema.alterTable('consent_subjects').addColumn('merged_into', 'text').execute()
  await sql`update consent_subjects set merged_into = (select s.merged_into from subjects s
    where s.id = consent_subjects.id)`.execute(db)
  await db.schema
    .createIndex('consent_subjects_merged')
    .on('consent_subjects')
    .column('merged_into')
    .where('merged_into', 'is not', null)
    .execute()
  await db.schema
    .createTable('consent_subject_identifiers')
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('blind_index', binary, (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull().references('consent_subjects.id'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('consent_subject_identifiers_pk', ['blind_index', 'workspace_id'])
    .modifyEnd(clustered)
    .execute()
  await db.schema
    .createIndex('consent_subject_identifiers_subject')
    .on('consent_subject_identifiers')
    .columns(['subject_id', 'workspace_id'])
    .execute()
  // Only the consent ledger's subjects had identifiers before.
  await sql`insert into consent_subject_identifiers
      (workspace_id, blind_index, kind, subject_id, created_at)
    select i.workspace_id, i.blind_index, i.kind, i.subject_id, i.created_at
    from subject_identifiers i
    where exists (select 1 from consent_subjects c where c.id = i.subject_id)`.execute(db)
  await db.schema.dropIndex('contacts_subject').execute()
  await db.schema.alterTable('contacts').dropColumn('subject_id').execute()
  await db.schema.dropTable('subject_identifiers').execute()
  await db.schema.dropTable('subjects').execute()
}
