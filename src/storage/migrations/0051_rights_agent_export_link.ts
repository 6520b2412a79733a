import type { Kysely } from 'kysely'

/**
 * A second download link per access or portability request, for the authorised agent
 * that filed it (rights/agent-links.ts): its token's hash beside the person's own, so
 * handing the agent a link never cuts the one mailed to the person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rights_requests')
    .addColumn('agent_export_token_hash', 'text')
    .execute()
  await db.schema
    .createIndex('rights_requests_agent_export_token')
    .on('rights_requests')
    .column('agent_export_token_hash')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rights_requests_agent_export_token').execute()
  await db.schema.alterTable('rights_requests').dropColumn('agent_export_token_hash').execute()
}
