import { type Database, isUniqueViolation, locksRows } from '../storage/index.js'
import type { DrpAgentsTable, DrpRequestsTable } from './drp.table.js'

/**
 * SQL of the DRP door. Every query names its workspace, except the three that find it:
 * a bearer token's hash, an agent id before its signature is checked, and the job's
 * walks over every workspace.
 */

export async function insertAgent(db: Database, row: DrpAgentsTable): Promise<void> {
  await db.insertInto('drp_agents').values(row).execute()
}

export async function findAgent(
  db: Database,
  workspaceId: string,
  agentId: string,
): Promise<DrpAgentsTable | undefined> {
  return db
    .selectFrom('drp_agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
}

export async function findAgentByRow(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<DrpAgentsTable | undefined> {
  return db
    .selectFrom('drp_agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function listAgentRows(db: Database, workspaceId: string): Promise<DrpAgentsTable[]> {
  return db
    .selectFrom('drp_agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('agent_id')
    .execute()
}

export async function deleteAgent(
  db: Database,
  workspaceId: string,
  agentId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('drp_agents')
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/** Every workspace's registration of one agent id: the key set-up knows no workspace yet. */
export async function agentsNamed(db: Database, agentId: string): Promise<DrpAgentsTable[]> {
  return db
    .selectFrom('drp_agents')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('id')
    .limit(100)
    .execute()
}

export async function agentByToken(
  db: Database,
  hash: string,
): Promise<DrpAgentsTable | undefined> {
  return db.selectFrom('drp_agents').selectAll().where('token_hash', '=', hash).executeTakeFirst()
}

export async function setAgentToken(
  db: Database,
  agent: Pick<DrpAgentsTable, 'workspace_id' | 'id'>,
  hash: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('drp_agents')
    .set({ token_hash: hash, token_issued_at: at })
    .where('workspace_id', '=', agent.workspace_id)
    .where('id', '=', agent.id)
    .execute()
}

/** Inserts a request; false when the agent already filed one with that request id. */
export async function insertRequest(db: Database, row: DrpRequestsTable): Promise<boolean> {
  try {
    await db.insertInto('drp_requests').values(row).execute()
    return true
  } catch (error) {
    if (isUniqueViolation(error)) return false
    throw error
  }
}

export async function findRequest(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<DrpRequestsTable | undefined> {
  return db
    .selectFrom('drp_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function findByAgentRequest(
  db: Database,
  workspaceId: string,
  agentId: string,
  agentRequestHash: string,
): Promise<DrpRequestsTable | undefined> {
  return db
    .selectFrom('drp_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('agent_id', '=', agentId)
    .where('agent_request_hash', '=', agentRequestHash)
    .executeTakeFirst()
}

export async function updateRequest(
  db: Database,
  workspaceId: string,
  id: string,
  changes: Partial<DrpRequestsTable>,
): Promise<void> {
  await db
    .updateTable('drp_requests')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

export async function deleteRequest(db: Database, workspaceId: string, id: string): Promise<void> {
  await db
    .deleteFrom('drp_requests')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

/** On PostgreSQL, holds the row until the transaction ends; SQLite's write lock holds the file. */
export async function lockRequest(trx: Database, workspaceId: string, id: string): Promise<void> {
  if (!locksRows(trx)) return
  await trx
    .selectFrom('drp_requests')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .forUpdate()
    .execute()
}

/** Requests of every workspace still open, oldest first: the job follows them. */
export async function openRequests(db: Database, limit: number): Promise<DrpRequestsTable[]> {
  return db
    .selectFrom('drp_requests')
    .selectAll()
    .where('status', 'in', ['open', 'in_progress'])
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Requests of every workspace with a callback due at `nowIso`, the longest waiting first. */
export async function dueCallbacks(
  db: Database,
  nowIso: string,
  limit: number,
): Promise<DrpRequestsTable[]> {
  return db
    .selectFrom('drp_requests')
    .selectAll()
    .where('callback_due_at', '<=', nowIso)
    .orderBy('callback_due_at')
    .limit(limit)
    .execute()
}

/** Remembers a signed message; false when it was seen before (a replay). */
export async function rememberMessage(
  db: Database,
  row: { hash: string; workspace_id: string; expires_at: string },
): Promise<boolean> {
  try {
    await db.insertInto('drp_seen_messages').values(row).execute()
    return true
  } catch (error) {
    if (isUniqueViolation(error)) return false
    throw error
  }
}

/** Forgets messages past their expiry: the expiry check refuses them from then on. */
export async function forgetExpiredMessages(db: Database, nowIso: string): Promise<number> {
  const result = await db
    .deleteFrom('drp_seen_messages')
    .where('expires_at', '<=', nowIso)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
