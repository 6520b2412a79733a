import type { Kysely } from 'kysely'
import { binaryColumnType } from '../column-types.js'

/**
 * Security operations (breach/breach.table.ts): the alerts the detection rules raise,
 * the breach register with its 72-hour clock (Art. 33), and the detection cursor over
 * the audit stream with the rules' sliding windows and baselines.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('breach_incidents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull().references('workspaces.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('discovered_at', 'text', (column) => column.notNull())
    .addColumn('aware_at', 'text', (column) => column.notNull())
    .addColumn('authority_deadline', 'text', (column) => column.notNull())
    .addColumn('nature', 'text', (column) => column.notNull())
    .addColumn('categories', 'text', (column) => column.notNull())
    .addColumn('approx_subjects', 'integer')
    .addColumn('approx_records', 'integer')
    .addColumn('narrative', binaryColumnType(db), (column) => column.notNull())
    .addColumn('art33_decision', 'text')
    .addColumn('art34_decision', 'text')
    .addColumn('authority_notified_at', 'text')
    .addColumn('subjects_informed_at', 'text')
    .addColumn('window_from', 'text')
    .addColumn('window_until', 'text')
    .addColumn('actor_type', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('alert_id', 'text')
    .addColumn('warned_at', 'text')
    .addColumn('overdue_at', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('breach_incidents_workspace')
    .on('breach_incidents')
    .columns(['workspace_id', 'discovered_at'])
    .execute()
  await db.schema
    .createTable('breach_alerts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text')
    .addColumn('rule', 'text', (column) => column.notNull())
    .addColumn('raised_at', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('evidence', 'text', (column) => column.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('delivery', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('breach_alerts_workspace')
    .on('breach_alerts')
    .columns(['workspace_id', 'raised_at'])
    .execute()
  await db.schema
    .createTable('breach_detection')
    .addColumn('slot', 'text', (column) => column.primaryKey())
    .addColumn('cursor_seq', 'bigint', (column) => column.notNull())
    .addColumn('cursor_hash', 'text', (column) => column.notNull())
    .addColumn('cursor_id', 'text')
    .addColumn('state', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('breach_detection').execute()
  await db.schema.dropTable('breach_alerts').execute()
  await db.schema.dropTable('breach_incidents').execute()
}
