import { type Kysely, sql } from 'kysely'
import { binaryColumnType, dialectOf } from '../column-types.js'

/**
 * The audit log's anchor (audit/anchor.ts): when retention removes the oldest entries,
 * the last one removed is kept here (its seq, id and hash), sealed under the master key
 * as the head is, and verification starts from it instead of the genesis. The guards of
 * migration 0003 are narrowed to match: an entry at or below the anchor may be deleted,
 * none above it; the anchor itself only moves forward and is never deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db)
  await db.schema
    .createTable('audit_anchor')
    .addColumn('slot', 'text', (column) => column.primaryKey())
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (column) => column.notNull())
    .addColumn('last_id', 'text', (column) => column.notNull())
    .addColumn('hash', binaryColumnType(db), (column) => column.notNull())
    .addColumn('moved_at', 'text', (column) => column.notNull())
    .addColumn('seal', binaryColumnType(db), (column) => column.notNull())
    .execute()
  if (dialect === 'postgres') await narrowPostgresGuards(db)
  else await narrowSqliteGuards(db)
}

async function narrowSqliteGuards(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger audit_entries_no_delete`.execute(db)
  await sql`create trigger audit_entries_no_delete before delete on audit_entries
    when old.seq > coalesce((select seq from audit_anchor where slot = 'anchor'), 0)
    begin select raise(abort, 'the audit log is append-only'); end`.execute(db)
  await sql`create trigger audit_anchor_no_delete before delete on audit_anchor
    begin select raise(abort, 'the audit anchor is never deleted'); end`.execute(db)
  await sql`create trigger audit_anchor_forward_only before update on audit_anchor
    when new.seq < old.seq
    begin select raise(abort, 'the audit anchor only moves forward'); end`.execute(db)
}

async function narrowPostgresGuards(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger audit_entries_append_only on audit_entries`.execute(db)
  await sql`create trigger audit_entries_no_update before update on audit_entries
    for each row execute function audit_log_refuse_change()`.execute(db)
  await sql`create function audit_log_refuse_unanchored_delete() returns trigger
    language plpgsql as $$
    begin
      if old.seq <= coalesce((select seq from audit_anchor where slot = 'anchor'), 0) then
        return old;
      end if;
      raise exception 'the audit log is append-only';
    end $$`.execute(db)
  await sql`create trigger audit_entries_no_delete before delete on audit_entries
    for each row execute function audit_log_refuse_unanchored_delete()`.execute(db)
  await sql`create function audit_anchor_refuse_backward() returns trigger language plpgsql as $$
    begin
      if new.seq < old.seq then raise exception 'the audit anchor only moves forward'; end if;
      return new;
    end $$`.execute(db)
  await sql`create trigger audit_anchor_forward_only before update on audit_anchor
    for each row execute function audit_anchor_refuse_backward()`.execute(db)
  await sql`create trigger audit_anchor_no_delete before delete or truncate on audit_anchor
    for each statement execute function audit_log_refuse_change()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`drop trigger audit_entries_no_delete on audit_entries`.execute(db)
    await sql`drop trigger audit_entries_no_update on audit_entries`.execute(db)
    await sql`drop function audit_log_refuse_unanchored_delete()`.execute(db)
    await sql`create trigger audit_entries_append_only before update or delete on audit_entries
      for each row execute function audit_log_refuse_change()`.execute(db)
    await db.schema.dropTable('audit_anchor').execute()
    await sql`drop function audit_anchor_refuse_backward()`.execute(db)
    return
  }
  await sql`drop trigger audit_entries_no_delete`.execute(db)
  await sql`create trigger audit_entries_no_delete before delete on audit_entries
    begin select raise(abort, 'the audit log is append-only'); end`.execute(db)
  await db.schema.dropTable('audit_anchor').execute()
}
