import { sql } from 'kysely'
import { binaryColumnType } from '../storage/index.js'
import type { Database } from '../storage/index.js'
import type { AttributeType, ContactAttributesTable, ContactsTable } from './contacts.table.js'

// SQL of the contacts module. Every function takes the workspace id first after `db`.

export async function insertContact(db: Database, row: ContactsTable): Promise<void> {
  await db.insertInto('contacts').values(row).execute()
}

/** Many new contacts, in statements of at most 500 rows. */
export async function insertContacts(db: Database, rows: readonly ContactsTable[]): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    await db
      .insertInto('contacts')
      .values(rows.slice(start, start + chunkSize))
      .execute()
  }
}

/** Which of these blind indexes a stored contact already has, as latin1 keys. */
export async function selectTakenIndexes(
  db: Database,
  workspaceId: string,
  column: 'email_index' | 'external_id_index',
  indexes: readonly Buffer[],
): Promise<Set<string>> {
  const taken = new Set<string>()
  for (let start = 0; start < indexes.length; start += chunkSize) {
    const rows = await db
      .selectFrom('contacts')
      .select(column)
      .where('workspace_id', '=', workspaceId)
      .where(column, 'in', indexes.slice(start, start + chunkSize))
      .execute()
    for (const row of rows) {
      const index = row[column]
      if (index !== null) taken.add(index.toString('latin1'))
    }
  }
  return taken
}

// Rows or values per statement, well under both databases' bound-parameter limits.
const chunkSize = 500

export async function findContact(
  db: Database,
  workspaceId: string,
  contactId: string,
): Promise<ContactsTable | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .executeTakeFirst()
}

export async function findContactByIndex(
  db: Database,
  workspaceId: string,
  column: 'email_index' | 'external_id_index',
  index: Buffer,
): Promise<ContactsTable | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where(column, '=', index)
    .executeTakeFirst()
}

/** Newest first; `before` is the id of the last contact of the previous page. */
export async function listContactRows(
  db: Database,
  workspaceId: string,
  options: { before?: string; limit: number },
): Promise<ContactsTable[]> {
  let query = db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId)
  if (options.before !== undefined) query = query.where('id', '<', options.before)
  return query.orderBy('id', 'desc').limit(options.limit).execute()
}

export async function updateContactRow(
  db: Database,
  workspaceId: string,
  contactId: string,
  changes: Partial<Omit<ContactsTable, 'id' | 'workspace_id' | 'created_at'>>,
): Promise<void> {
  await db
    .updateTable('contacts')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .execute()
}

export async function deleteContactRow(
  db: Database,
  workspaceId: string,
  contactId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('contacts')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', contactId)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function attributeTypes(
  db: Database,
  workspaceId: string,
): Promise<Map<string, AttributeType>> {
  const rows = await db
    .selectFrom('contact_attributes')
    .select(['name', 'type'])
    .where('workspace_id', '=', workspaceId)
    .execute()
  return new Map(rows.map((row) => [row.name, row.type]))
}

export async function insertAttributeTypes(
  db: Database,
  rows: ContactAttributesTable[],
): Promise<void> {
  if (rows.length === 0) return
  await db
    .insertInto('contact_attributes')
    .values(rows)
    .onConflict((conflict) => conflict.columns(['workspace_id', 'name']).doNothing())
    .execute()
}

/** One contact seen at `at`: the contact named by its external id's blind index. */
export interface ActivityRow {
  workspace_id: string
  external_id_index: Buffer
  at: string
}

/**
 * Moves each named contact's last activity to `at`, never backwards (events arrive late
 * and out of order), in one statement per 500 contacts: the caller gives at most one row
 * per contact (SQLite's UPDATE … FROM takes an arbitrary row when several match).
 * Scoped per row: a contact matches only within the workspace its row names.
 */
export async function touchContactsByExternalIndex(
  db: Database,
  rows: readonly ActivityRow[],
): Promise<void> {
  // PostgreSQL types a VALUES column from its parameters: text, unless told bytea.
  const binary = sql.raw(binaryColumnType(db))
  for (let start = 0; start < rows.length; start += chunkSize) {
    const values = rows
      .slice(start, start + chunkSize)
      .map(
        (row) => sql`(${row.workspace_id}, cast(${row.external_id_index} as ${binary}), ${row.at})`,
      )
    await sql`with seen (workspace_id, external_id_index, at) as (values ${sql.join(values)})
      update contacts set last_activity_at = seen.at
      from seen
      where contacts.workspace_id = seen.workspace_id
        and contacts.external_id_index = seen.external_id_index
        and (contacts.last_activity_at is null or contacts.last_activity_at < seen.at)`.execute(db)
  }
}

/** The contacts one person's identifiers or key holders name: an erasure's or export's. */
export async function selectContactsOfPerson(
  db: Database,
  workspaceId: string,
  person: {
    emailIndexes: readonly Buffer[]
    externalIdIndexes: readonly Buffer[]
    /** The person's key holders: the contacts sealed under one of them are theirs. */
    subjectIds: readonly string[]
  },
): Promise<ContactsTable[]> {
  const found = new Map<string, ContactsTable>()
  const keep = (rows: ContactsTable[]) => rows.forEach((row) => found.set(row.id, row))
  const base = () => db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId)
  if (person.emailIndexes.length > 0) {
    keep(
      await base()
        .where('email_index', 'in', [...person.emailIndexes])
        .execute(),
    )
  }
  if (person.externalIdIndexes.length > 0) {
    keep(
      await base()
        .where('external_id_index', 'in', [...person.externalIdIndexes])
        .execute(),
    )
  }
  // A person may have thousands of key holders (a subject per browser): in chunks.
  for (let start = 0; start < person.subjectIds.length; start += chunkSize) {
    keep(
      await base()
        .where('subject_id', 'in', person.subjectIds.slice(start, start + chunkSize))
        .execute(),
    )
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
}

/** Erasure: the contacts sealed under these subjects; their keys are destroyed by the caller. */
export async function deleteContactsOfSubjects(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<number> {
  let deleted = 0
  for (let start = 0; start < subjectIds.length; start += chunkSize) {
    const result = await db
      .deleteFrom('contacts')
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', subjectIds.slice(start, start + chunkSize))
      .executeTakeFirst()
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}

/** The contacts whose profiles are sealed under one of these subjects. */
export async function selectContactIdsOfSubjects(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < subjectIds.length; start += chunkSize) {
    const rows = await db
      .selectFrom('contacts')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', subjectIds.slice(start, start + chunkSize))
      .execute()
    ids.push(...rows.map((row) => row.id))
  }
  return ids
}

/** A contact is inactive when neither a change nor an activity came since `cutoff`. */
function inactiveSince(db: Database, workspaceId: string, cutoff: string) {
  return db
    .selectFrom('contacts')
    .where('workspace_id', '=', workspaceId)
    .where('updated_at', '<', cutoff)
    .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', cutoff)]))
}

export async function countInactiveContacts(
  db: Database,
  workspaceId: string,
  cutoff: string,
): Promise<number> {
  const row = await inactiveSince(db, workspaceId, cutoff)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Deletes at most `limit` contacts inactive since `cutoff`: one batch of the retention purge. */
export async function deleteInactiveContacts(
  trx: Database,
  workspaceId: string,
  cutoff: string,
  limit: number,
): Promise<number> {
  const ids = await inactiveSince(trx, workspaceId, cutoff)
    .select('id')
    .orderBy('id')
    .limit(limit)
    .execute()
  if (ids.length === 0) return 0
  const result = await trx
    .deleteFrom('contacts')
    .where('workspace_id', '=', workspaceId)
    .where(
      'id',
      'in',
      ids.map((row) => row.id),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
