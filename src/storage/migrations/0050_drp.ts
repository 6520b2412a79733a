import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * The Data Rights Protocol door (drp/drp.table.ts): the agents a workspace accepts, the
 * exercises they filed with their callback outbox, and the signed messages already
 * taken. Indexes serve the bearer token look-up, one request per agent request id, the
 * callback job and the purge of expired message hashes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('drp_agents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('agent_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('verify_key', binary, (column) => column.notNull())
    .addColumn('token_hash', 'text')
    .addColumn('token_issued_at', 'text')
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('drp_agents_by_agent_id')
    .on('drp_agents')
    .columns(['workspace_id', 'agent_id'])
    .unique()
    .execute()
  await db.schema
    .createIndex('drp_agents_by_token')
    .on('drp_agents')
    .column('token_hash')
    .unique()
    .execute()

  await db.schema
    .createTable('drp_requests')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('rights_request_id', 'text')
    .addColumn('agent_ref', 'text', (column) => column.notNull())
    .addColumn('agent_id', 'text', (column) => column.notNull())
    .addColumn('agent_request_hash', 'text')
    .addColumn('exercise', 'text', (column) => column.notNull())
    .addColumn('regime', 'text')
    .addColumn('subject_index', binary, (column) => column.notNull())
    .addColumn('sealed', binary, (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('reason', 'text')
    .addColumn('expected_by', 'text')
    .addColumn('callback_due_at', 'text')
    .addColumn('callback_attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('callback_last_error', 'text')
    .addColumn('callback_delivered_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  // NULLs never collide, so requests without an agent request id are not limited.
  await db.schema
    .createIndex('drp_requests_by_agent_request')
    .on('drp_requests')
    .columns(['workspace_id', 'agent_id', 'agent_request_hash'])
    .unique()
    .execute()
  await db.schema
    .createIndex('drp_requests_by_subject')
    .on('drp_requests')
    .columns(['workspace_id', 'subject_index'])
    .execute()
  await db.schema
    .createIndex('drp_requests_by_status')
    .on('drp_requests')
    .columns(['status', 'id'])
    .execute()
  await db.schema
    .createIndex('drp_requests_callbacks_due')
    .on('drp_requests')
    .column('callback_due_at')
    .execute()

  await db.schema
    .createTable('drp_seen_messages')
    .addColumn('hash', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('drp_seen_messages_by_expiry')
    .on('drp_seen_messages')
    .column('expires_at')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('drp_seen_messages').execute()
  await db.schema.dropTable('drp_requests').execute()
  await db.schema.dropTable('drp_agents').execute()
}
