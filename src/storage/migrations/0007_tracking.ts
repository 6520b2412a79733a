import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

// Tracked events (page, track, identify). Personal fields are one sealed envelope per
// event; see tracking/tracking.table.ts for what stays readable and why.
export async function up(db: Kysely<unknown>): Promise<void> {
  const binary = binaryColumnType(db)
  await db.schema
    .createTable('tracking_events')
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('anonymous_index', binary)
    .addColumn('external_index', binary)
    .addColumn('occurred_at', 'text', (column) => column.notNull())
    .addColumn('received_at', 'text', (column) => column.notNull())
    .addColumn('browser', 'text')
    .addColumn('browser_version', 'text')
    .addColumn('os', 'text')
    .addColumn('device', 'text', (column) => column.notNull())
    .addColumn('country', 'text')
    .addColumn('sealed', binary, (column) => column.notNull())
    // A client's event id is stored once per workspace: a retried batch adds nothing.
    .addPrimaryKeyConstraint('tracking_events_pk', ['workspace_id', 'id'])
    .execute()
  await db.schema
    .createIndex('tracking_events_received')
    .on('tracking_events')
    .columns(['workspace_id', 'received_at', 'id'])
    .execute()
  await db.schema
    .createIndex('tracking_events_anonymous')
    .on('tracking_events')
    .columns(['workspace_id', 'anonymous_index'])
    .execute()
  await db.schema
    .createIndex('tracking_events_external')
    .on('tracking_events')
    .columns(['workspace_id', 'external_index'])
    .execute()
  await db.schema
    .createIndex('tracking_events_subject')
    .on('tracking_events')
    .columns(['workspace_id', 'subject_id'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tracking_events').execute()
}
