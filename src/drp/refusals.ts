import type { DrpDeps } from './drp.deps.js'
import type { DrpAgentsTable } from './drp.table.js'
import { DrpRefusal } from './signed-message.logic.js'

/** The request's place in the audit log: its id and the caller's address. */
export interface DrpContext {
  requestId?: string | null
  ip?: string | null
}

/** What a call learnt of its caller before it was refused: the agent, once known. */
export interface Seen {
  agent: Pick<DrpAgentsTable, 'id' | 'workspace_id' | 'agent_id'> | undefined
}

/**
 * Runs one DRP call and audits its refusal, if any, before it reaches the agent: in the
 * agent's workspace once the token or signature named one, else as a platform entry
 * (the caller proved nothing yet, so no workspace is trusted from what it sent).
 * Queued (`recordSoon`): a flood of bad requests does not wait on the log one by one.
 */
export async function refusalsAudited<T>(
  deps: DrpDeps,
  call: { endpoint: string; agent: Seen['agent']; context: DrpContext },
  work: (seen: Seen) => Promise<T>,
): Promise<T> {
  const seen: Seen = { agent: call.agent }
  try {
    return await work(seen)
  } catch (error) {
    if (error instanceof DrpRefusal) {
      const agent = seen.agent
      await deps.audit.recordSoon([
        {
          workspaceId: agent?.workspace_id ?? null,
          actor: { actorType: 'api-key', actorId: agent?.id ?? null },
          action: 'drp_request.refused',
          outcome: 'denied',
          resource: { type: 'drp_agent', id: agent?.id ?? null },
          requestId: call.context.requestId ?? null,
          ip: call.context.ip ?? null,
          details: {
            endpoint: call.endpoint,
            why: error.why,
            status: error.status,
            agentId: agent?.agent_id ?? null,
          },
        },
      ])
    }
    throw error
  }
}
