import { randomBytes } from 'node:crypto'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import { isUniqueViolation } from '../storage/index.js'
import { getWorkspace } from '../workspaces/index.js'
import type { DrpDeps } from './drp.deps.js'
import {
  agentByToken,
  agentsNamed,
  deleteAgent,
  findAgent,
  insertAgent,
  listAgentRows,
  rememberMessage,
  setAgentToken,
} from './drp.repository.js'
import { businessIdOf, drpSettings } from './drp.settings.js'
import type { DrpAgentsTable } from './drp.table.js'
import {
  checkEnvelope,
  decodeSignedBody,
  DrpRefusal,
  drpVersion,
  messageHash,
  openSigned,
  parseClaims,
  tokenHash,
  verifyKeyBytes,
  verifyKeyFrom,
} from './signed-message.logic.js'
import { type DrpContext, refusalsAudited } from './refusals.js'

/** An operator's or a secret key's call on the workspace's agents. */
export interface AgentsCaller {
  workspaceId: string
  actor: Actor
  /** `operator:<id>` or `api-key:<id>`, kept as who registered the agent. */
  label: string
}

/** An agent as operators see it: who, its key, and whether it set up its token. */
export interface AgentView {
  agentId: string
  name: string
  verifyKey: string
  tokenIssuedAt: string | null
  createdAt: string
}

function viewOf(row: DrpAgentsTable): AgentView {
  return {
    agentId: row.agent_id,
    name: row.name,
    verifyKey: row.verify_key.toString('base64'),
    tokenIssuedAt: row.token_issued_at,
    createdAt: row.created_at,
  }
}

/**
 * Registers an authorised agent for the workspace with the key it signs with (the
 * `verify_key` of its DRP directory entry, base64 of the raw 32 bytes). Only requests
 * signed by that key are taken; registering is the workspace's decision to trust it.
 */
export async function registerAgent(
  deps: DrpDeps,
  caller: AgentsCaller,
  input: { agentId: string; name: string; verifyKey: string },
  context: DrpContext = {},
): Promise<AgentView> {
  const raw = Buffer.from(input.verifyKey, 'base64')
  if (
    raw.length !== verifyKeyBytes ||
    raw.toString('base64') !== input.verifyKey ||
    verifyKeyFrom(raw) === undefined
  ) {
    throw new AppError('invalid_request', 'verifyKey is not a base64 Ed25519 public key', {
      errors: [{ in: 'body', field: 'verifyKey', message: 'must be base64 of 32 bytes' }],
    })
  }
  if ((await findAgent(deps.db, caller.workspaceId, input.agentId)) !== undefined) {
    throw new AppError('conflict', 'An agent with this agentId is registered already')
  }
  const now = deps.clock.now()
  const row: DrpAgentsTable = {
    id: newId(now),
    workspace_id: caller.workspaceId,
    agent_id: input.agentId,
    name: input.name,
    verify_key: raw,
    token_hash: null,
    token_issued_at: null,
    created_by: caller.label,
    created_at: now.toISOString(),
  }
  await insertAgent(deps.db, row).catch((error: unknown) => {
    // Two registrations of one agent at once: the second meets the unique index.
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'An agent with this agentId is registered already')
    }
    throw error
  })
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'drp_agent.registered',
    outcome: 'succeeded',
    resource: { type: 'drp_agent', id: row.id },
    requestId: context.requestId ?? null,
    ip: context.ip ?? null,
    details: { agentId: row.agent_id },
  })
  return viewOf(row)
}

export async function listAgents(deps: DrpDeps, workspaceId: string): Promise<AgentView[]> {
  return (await listAgentRows(deps.db, workspaceId)).map(viewOf)
}

/** Removes an agent: its token and key stop working at once; its requests stay. */
export async function removeAgent(
  deps: DrpDeps,
  caller: AgentsCaller,
  agentId: string,
  context: DrpContext = {},
): Promise<void> {
  const row = await findAgent(deps.db, caller.workspaceId, agentId)
  if (row === undefined || !(await deleteAgent(deps.db, caller.workspaceId, agentId))) {
    throw new AppError('not_found', 'No agent with this agentId is registered')
  }
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'drp_agent.removed',
    outcome: 'succeeded',
    resource: { type: 'drp_agent', id: row.id },
    requestId: context.requestId ?? null,
    ip: context.ip ?? null,
    details: { agentId },
  })
}

/**
 * The pair-wise key set-up (§2.05): an agent proves with a message signed by its
 * registered key that it is itself, for this business, now, and gets a fresh bearer
 * token (the old one stops working). Only the token's hash is kept. Which workspace it
 * is for follows from the signed `business-id` among the workspaces that registered the
 * agent; every check fails alike (the route answers 403 with no body).
 */
export async function setUpPairwiseToken(
  deps: DrpDeps,
  agentId: string,
  body: unknown,
  context: DrpContext = {},
): Promise<{ 'agent-id': string; token: string }> {
  return refusalsAudited(
    deps,
    { endpoint: 'agent-setup', agent: undefined, context },
    async (seen) => {
      const signed = decodeSignedBody(typeof body === 'string' ? body : '')
      const candidates = await agentsNamed(deps.db, agentId)
      const verified = candidates.flatMap((agent) => {
        const key = verifyKeyFrom(agent.verify_key)
        const message = key === undefined ? undefined : openSigned(signed, key)
        return message === undefined ? [] : [{ agent, message }]
      })
      const [first] = verified
      if (first === undefined) {
        throw new DrpRefusal(403, 'signature', 'The signature is not the registered agent’s')
      }
      seen.agent = first.agent
      const claims = parseClaims(first.message)
      if (claims['agent-id'] !== agentId) {
        throw new DrpRefusal(403, 'agent_mismatch', 'agent-id is not the agent in the path')
      }
      const matching: { agent: DrpAgentsTable; businessId: string }[] = []
      for (const { agent } of verified) {
        const workspace = await getWorkspace(deps.db, agent.workspace_id)
        const businessId = businessIdOf(agent.workspace_id, drpSettings.read(workspace.settings))
        if (claims['business-id'] === businessId) matching.push({ agent, businessId })
      }
      const [chosen, another] = matching
      // Two workspaces answering to one business id cannot be told apart: neither is chosen.
      if (chosen === undefined || another !== undefined) {
        throw new DrpRefusal(403, 'business_mismatch', 'business-id is not this business')
      }
      seen.agent = chosen.agent
      const now = deps.clock.now()
      const expiresAt = checkEnvelope(claims, {
        agentId,
        businessId: chosen.businessId,
        now,
        required: true,
      })
      if (claims['drp.version'] !== drpVersion) {
        throw new DrpRefusal(403, 'unsupported', `This business speaks DRP ${drpVersion}`)
      }
      const fresh = await rememberMessage(deps.db, {
        hash: messageHash(signed),
        workspace_id: chosen.agent.workspace_id,
        expires_at: (expiresAt ?? now).toISOString(),
      })
      if (!fresh) throw new DrpRefusal(403, 'replay', 'This signed message was taken already')
      const token = `drp_${randomBytes(32).toString('base64url')}`
      await setAgentToken(deps.db, chosen.agent, tokenHash(token), now.toISOString())
      await deps.audit.record({
        workspaceId: chosen.agent.workspace_id,
        actor: actorOfAgent(chosen.agent),
        action: 'drp_agent.token_issued',
        outcome: 'succeeded',
        resource: { type: 'drp_agent', id: chosen.agent.id },
        requestId: context.requestId ?? null,
        ip: context.ip ?? null,
        details: { agentId },
      })
      return { 'agent-id': agentId, token }
    },
  )
}

/**
 * The agent a request's bearer token belongs to (§2.01, §3.07): the token is looked up
 * by its hash, and names one agent of one workspace.
 */
export async function agentOfToken(
  deps: DrpDeps,
  authorization: string | undefined,
): Promise<DrpAgentsTable> {
  const token = /^Bearer\s+(\S{1,200})$/i.exec(authorization ?? '')?.[1]
  if (token === undefined) {
    throw new DrpRefusal(403, 'no_token', 'Send the pair-wise token as Authorization: Bearer')
  }
  const agent = await agentByToken(deps.db, tokenHash(token))
  if (agent === undefined) {
    throw new DrpRefusal(403, 'unknown_token', 'The token is unknown or was replaced')
  }
  return agent
}

/** The Agent Information endpoint (§2.06): `{}` when the token is this agent's. */
export async function checkAgentToken(
  deps: DrpDeps,
  agentId: string,
  authorization: string | undefined,
  context: DrpContext = {},
): Promise<Record<string, never>> {
  return refusalsAudited(
    deps,
    { endpoint: 'agent-info', agent: undefined, context },
    async (seen) => {
      const agent = await agentOfToken(deps, authorization)
      seen.agent = agent
      if (agent.agent_id !== agentId) {
        throw new DrpRefusal(403, 'not_yours', 'The token belongs to another agent')
      }
      return {}
    },
  )
}

/** An agent in the audit log: a machine credential of the workspace, like an API key. */
export function actorOfAgent(agent: Pick<DrpAgentsTable, 'id'>): Actor {
  return { actorType: 'api-key', actorId: agent.id }
}
