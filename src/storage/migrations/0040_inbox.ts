import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * The inbox (inbox/inbox.table.ts): conversations, messages with sealed bodies,
 * attachments, sensitive-data findings and enrichment with provenance. Indexes serve
 * the listings (state, assignee, person) and the registry walk (by key holder).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('inbox_conversations')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('visitor_index', binary)
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('snoozed_until', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('last_message_at', 'text', (column) => column.notNull())
    .execute()
  for (const [name, columns] of [
    ['inbox_conversations_by_state', ['workspace_id', 'state', 'id']],
    ['inbox_conversations_by_assignee', ['workspace_id', 'assignee_id', 'id']],
    ['inbox_conversations_by_subject', ['workspace_id', 'subject_id']],
    ['inbox_conversations_by_visitor', ['workspace_id', 'visitor_index']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('inbox_conversations')
      .columns([...columns])
      .execute()
  }

  await db.schema
    .createTable('inbox_messages')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('conversation_id', 'text', (column) =>
      column.notNull().references('inbox_conversations.id'),
    )
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('body_key_id', 'text', (column) => column.notNull())
    .addColumn('author', 'text', (column) => column.notNull())
    .addColumn('operator_id', 'text')
    .addColumn('body', binary, (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('redacted_at', 'text')
    .execute()
  await db.schema
    .createIndex('inbox_messages_by_conversation')
    .on('inbox_messages')
    .columns(['conversation_id', 'id'])
    .execute()
  await db.schema
    .createIndex('inbox_messages_by_subject')
    .on('inbox_messages')
    .columns(['workspace_id', 'subject_id'])
    .execute()

  await db.schema
    .createTable('inbox_attachments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('message_id', 'text', (column) => column.notNull().references('inbox_messages.id'))
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('meta', binary, (column) => column.notNull())
    .addColumn('content', binary, (column) => column.notNull())
    .addColumn('size_bytes', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('inbox_attachments_by_message')
    .on('inbox_attachments')
    .columns(['message_id', 'id'])
    .execute()
  await db.schema
    .createIndex('inbox_attachments_by_subject')
    .on('inbox_attachments')
    .columns(['workspace_id', 'subject_id'])
    .execute()

  await db.schema
    .createTable('inbox_findings')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('message_id', 'text', (column) => column.notNull().references('inbox_messages.id'))
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('scheme', 'text')
    .addColumn('start_offset', 'integer', (column) => column.notNull())
    .addColumn('end_offset', 'integer', (column) => column.notNull())
    .addColumn('confidence', 'integer', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('redacted_at', 'text')
    .execute()
  await db.schema
    .createIndex('inbox_findings_by_message')
    .on('inbox_findings')
    .columns(['message_id', 'start_offset'])
    .execute()
  await db.schema
    .createIndex('inbox_findings_by_subject')
    .on('inbox_findings')
    .columns(['workspace_id', 'subject_id'])
    .execute()

  await db.schema
    .createTable('inbox_enrichments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('field', 'text', (column) => column.notNull())
    .addColumn('value', binary, (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('lawful_basis', 'text', (column) => column.notNull())
    .addColumn('resolved_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('inbox_enrichments_by_subject')
    .on('inbox_enrichments')
    .columns(['workspace_id', 'subject_id', 'field'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbox_enrichments').execute()
  await db.schema.dropTable('inbox_findings').execute()
  await db.schema.dropTable('inbox_attachments').execute()
  await db.schema.dropTable('inbox_messages').execute()
  await db.schema.dropTable('inbox_conversations').execute()
}
