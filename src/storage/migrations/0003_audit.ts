import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

/**
 * The audit log (module `src/audit`): an append-only, hash-chained table and the
 * chain's head. Triggers make the database itself refuse to change or delete an entry:
 * no code path of the application can, by mistake. They do not stop someone with direct
 * write access to the database (who can drop them); the hash chain and the sealed head
 * are what detect that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db)
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('audit_entries')
    // On SQLite `integer primary key` is the rowid itself: appends go to the end of
    // the one B-tree. On PostgreSQL a bigint, so the chain never runs out.
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (column) =>
      column.primaryKey(),
    )
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('actor_type', 'text', (column) => column.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('resource_type', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('subject_ref', 'text')
    .addColumn('purpose', 'text')
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text')
    .addColumn('ip_sealed', binary)
    .addColumn('details', 'text')
    .addColumn('prev_hash', binary, (column) => column.notNull())
    .addColumn('hash', binary, (column) => column.notNull())
    .execute()
  // A workspace's entries, newest first: `GET /v1/audit`.
  await db.schema
    .createIndex('audit_entries_by_workspace')
    .on('audit_entries')
    .columns(['workspace_id', 'seq'])
    .execute()
  // Deliberately no index on subject_ref: blind indexes are random, and a B-tree of
  // random keys dirties a page per appended row, which cut SQLite append throughput by
  // about 3.5x in bench/audit. Entries about one subject (a data subject request, rare)
  // are found by scanning the workspace's entries through the index above.

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('slot', 'text', (column) => column.primaryKey())
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (column) => column.notNull())
    .addColumn('last_id', 'text')
    .addColumn('hash', binary, (column) => column.notNull())
    .addColumn('seal', binary)
    .execute()
  // The genesis head: seq 0 and the all-zero hash the first entry chains to. It exists
  // from the start so every append, even the very first, locks the same row.
  await sql`insert into audit_chain_head (slot, seq, hash) values ('head', 0, ${Buffer.alloc(32)})`.execute(
    db,
  )

  if (dialect === 'postgres') await addPostgresGuards(db)
  else await addSqliteGuards(db)
}

async function addSqliteGuards(db: Kysely<unknown>): Promise<void> {
  for (const [name, event, table] of [
    ['audit_entries_no_update', 'update', 'audit_entries'],
    ['audit_entries_no_delete', 'delete', 'audit_entries'],
    ['audit_chain_head_no_delete', 'delete', 'audit_chain_head'],
  ] as const) {
    await sql`create trigger ${sql.id(name)} before ${sql.raw(event)} on ${sql.id(table)}
      begin select raise(abort, 'the audit log is append-only'); end`.execute(db)
  }
}

async function addPostgresGuards(db: Kysely<unknown>): Promise<void> {
  await sql`create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin raise exception 'the audit log is append-only'; end $$`.execute(db)
  await sql`create trigger audit_entries_append_only before update or delete on audit_entries
    for each row execute function audit_log_refuse_change()`.execute(db)
  // TRUNCATE skips row triggers; it gets its own.
  await sql`create trigger audit_entries_no_truncate before truncate on audit_entries
    for each statement execute function audit_log_refuse_change()`.execute(db)
  await sql`create trigger audit_chain_head_no_delete before delete or truncate on audit_chain_head
    for each statement execute function audit_log_refuse_change()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_chain_head').execute()
  await db.schema.dropTable('audit_entries').execute()
  if (dialectOf(db) === 'postgres') {
    await sql`drop function if exists audit_log_refuse_change()`.execute(db)
  }
}
