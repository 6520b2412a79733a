import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * Data subject requests (rights/rights.table.ts): the requests with their two clocks
 * and verification state, their timelines, and legal holds. Indexes serve the queue
 * (by due date), a person's requests (by blind index) and the reminder job.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('rights_requests')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('channel', 'text', (column) => column.notNull())
    .addColumn('filed_by', 'text', (column) => column.notNull())
    .addColumn('filed_from_index', binary)
    .addColumn('subject_kind', 'text', (column) => column.notNull())
    .addColumn('subject_index', binary, (column) => column.notNull())
    .addColumn('sealed', binary, (column) => column.notNull())
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addColumn('due_at', 'text', (column) => column.notNull())
    .addColumn('legal_due_date', 'text', (column) => column.notNull())
    .addColumn('legal_due_at', 'text', (column) => column.notNull())
    .addColumn('extended_due_date', 'text')
    .addColumn('extended_due_at', 'text')
    .addColumn('duplicate_of', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verification_method', 'text')
    .addColumn('code_hash', 'text')
    .addColumn('code_expires_at', 'text')
    .addColumn('code_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('codes_sent', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('verification_reminded_at', 'text')
    .addColumn('rejection_article', 'text')
    .addColumn('decided_under', 'text')
    .addColumn('outcome', 'text')
    .addColumn('failure', 'text')
    .addColumn('export_token_hash', 'text')
    .addColumn('export_expires_at', 'text')
    .addColumn('due_reminded_at', 'text')
    .addColumn('overdue_reminded_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('completed_at', 'text')
    .execute()
  await db.schema
    .createIndex('rights_requests_queue')
    .on('rights_requests')
    .columns(['workspace_id', 'due_at', 'id'])
    .execute()
  await db.schema
    .createIndex('rights_requests_by_subject')
    .on('rights_requests')
    .columns(['workspace_id', 'subject_index'])
    .execute()
  await db.schema
    .createIndex('rights_requests_open')
    .on('rights_requests')
    .columns(['status', 'due_at'])
    .execute()
  await db.schema
    .createIndex('rights_requests_export_token')
    .on('rights_requests')
    .column('export_token_hash')
    .execute()

  await db.schema
    .createTable('rights_request_events')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('request_id', 'text', (column) => column.notNull().references('rights_requests.id'))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('event', 'text', (column) => column.notNull())
    .addColumn('actor', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .execute()
  await db.schema
    .createIndex('rights_request_events_by_request')
    .on('rights_request_events')
    .columns(['request_id', 'id'])
    .execute()

  await db.schema
    .createTable('rights_legal_holds')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('subject_kind', 'text', (column) => column.notNull())
    .addColumn('subject_index', binary, (column) => column.notNull())
    .addColumn('basis', 'text', (column) => column.notNull())
    .addColumn('sealed', binary, (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('lifted_at', 'text')
    .execute()
  await db.schema
    .createIndex('rights_legal_holds_by_subject')
    .on('rights_legal_holds')
    .columns(['workspace_id', 'subject_index'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rights_legal_holds').execute()
  await db.schema.dropTable('rights_request_events').execute()
  await db.schema.dropTable('rights_requests').execute()
}
