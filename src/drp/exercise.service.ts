import { listPurposes } from '../consent/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import {
  autoFulfilled,
  fileRequest,
  fulfilRequest,
  type RightsCaller,
  withdrawRequest,
} from '../rights/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { actorOfAgent } from './agents.service.js'
import type { DrpDeps } from './drp.deps.js'
import {
  deleteRequest,
  findByAgentRequest,
  findRequest,
  insertRequest,
  rememberMessage,
  updateRequest,
} from './drp.repository.js'
import { businessIdOf, drpSettings } from './drp.settings.js'
import type { DrpAgentsTable, DrpRequestsTable } from './drp.table.js'
import { evidenceOf, readExercise } from './exercise.logic.js'
import { type DrpContext, refusalsAudited } from './refusals.js'
import { sealRequest } from './request-seal.js'
import {
  agentRequestHash,
  checkEnvelope,
  decodeSignedBody,
  DrpRefusal,
  maxValidityMs,
  messageHash,
  openSigned,
  parseClaims,
  verifyKeyFrom,
} from './signed-message.logic.js'
import { currentStatus } from './status.service.js'
import type { ExerciseStatus } from './status.logic.js'

/**
 * Takes a signed message from the agent a bearer token named, with the checks of
 * §3.07 in their order (base64, the signature under the agent's registered key, the
 * agent, the business, issued-at, expires-at), then refuses it if the same signed bytes
 * were taken before. `replayScope` binds the replay hash to one request, for a revoke
 * body that carries nothing but its reason (Ed25519 signs deterministically, so two
 * revocations with the same words are the same bytes).
 */
async function acceptSigned(
  deps: DrpDeps,
  agent: DrpAgentsTable,
  body: unknown,
  options: { required: boolean; replayScope?: string },
): Promise<Record<string, unknown>> {
  const signed = decodeSignedBody(typeof body === 'string' ? body : '')
  const key = verifyKeyFrom(agent.verify_key)
  const message = key === undefined ? undefined : openSigned(signed, key)
  if (message === undefined) {
    throw new DrpRefusal(403, 'signature', 'The signature is not the registered agent’s')
  }
  const claims = parseClaims(message)
  const workspace = await getWorkspace(deps.db, agent.workspace_id)
  const now = deps.clock.now()
  const expiresAt = checkEnvelope(claims, {
    agentId: agent.agent_id,
    businessId: businessIdOf(agent.workspace_id, drpSettings.read(workspace.settings)),
    now,
    required: options.required,
  })
  const scoped =
    options.replayScope === undefined
      ? signed
      : Buffer.concat([Buffer.from(`${options.replayScope}\0`), signed])
  const fresh = await rememberMessage(deps.db, {
    hash: messageHash(scoped),
    workspace_id: agent.workspace_id,
    // A message without an expiry is remembered for as long as one with the longest.
    expires_at: (expiresAt ?? new Date(now.getTime() + maxValidityMs)).toISOString(),
  })
  if (!fresh) throw new DrpRefusal(409, 'replay', 'This signed message was taken already', true)
  return claims
}

function callerOf(agent: DrpAgentsTable): RightsCaller {
  return { workspaceId: agent.workspace_id, principal: 'system', actor: actorOfAgent(agent) }
}

/**
 * The Data Rights Exercise endpoint (§2.01): the signed exercise becomes a rights request
 * of the matching type for the person its email claim names. The agent's identity
 * claims are recorded on it as evidence (Art. 12(6)): they confirm the person only when
 * the workspace accepts its agents' verification and the agent says it verified the
 * email; otherwise the person confirms by the code the rights module mails them.
 */
export async function fileExercise(
  deps: DrpDeps,
  agent: DrpAgentsTable,
  body: unknown,
  context: DrpContext = {},
): Promise<ExerciseStatus> {
  return refusalsAudited(deps, { endpoint: 'exercise', agent, context }, async () => {
    const claims = await acceptSigned(deps, agent, body, { required: true })
    const workspaceId = agent.workspace_id
    const purposes = await listPurposes(deps.db, workspaceId)
    const exercise = readExercise(
      claims,
      purposes.filter((purpose) => purpose.directMarketing).map((purpose) => purpose.name),
    )
    const workspace = await getWorkspace(deps.db, workspaceId)
    const trustsAgent =
      drpSettings.read(workspace.settings).drp.acceptAgentVerification &&
      exercise.claims.emailVerified
    const now = deps.clock.now()
    const id = newId(now)
    const requestHash =
      exercise.agentRequestId === null
        ? null
        : agentRequestHash(agent.agent_id, exercise.agentRequestId)
    const indexer = await deps.keyring.indexerFor(workspaceId)
    const row: DrpRequestsTable = {
      id,
      workspace_id: workspaceId,
      rights_request_id: null,
      agent_ref: agent.id,
      agent_id: agent.agent_id,
      agent_request_hash: requestHash,
      exercise: exercise.exercise,
      regime: exercise.regime,
      subject_index: indexer.index('email', exercise.email),
      sealed: await sealRequest(deps.keyring, workspaceId, id, {
        agentRequestId: exercise.agentRequestId,
        statusCallback: exercise.statusCallback?.href ?? null,
        results: null,
      }),
      status: 'open',
      reason: null,
      expected_by: null,
      callback_due_at: null,
      callback_attempts: 0,
      callback_last_error: null,
      callback_delivered_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }
    // The row is in before the rights request, so one agent request id is filed once
    // however many copies arrive together.
    if (!(await insertRequest(deps.db, row))) {
      const earlier =
        requestHash === null
          ? undefined
          : await findByAgentRequest(deps.db, workspaceId, agent.agent_id, requestHash)
      throw new DrpRefusal(
        409,
        'duplicate',
        `This agent-request-id was filed already${earlier === undefined ? '' : ` as ${earlier.id}`}`,
        true,
      )
    }
    const caller = callerOf(agent)
    let filed
    try {
      filed = await fileRequest(
        deps.rights,
        caller,
        {
          type: exercise.type,
          subject: { email: exercise.email },
          ...(exercise.details === undefined ? {} : { details: exercise.details }),
          evidence: evidenceOf(exercise, { agentId: agent.agent_id, name: agent.name }),
          ...(trustsAgent
            ? {
                verification: {
                  reason: `The authorised agent ${agent.name} (${agent.agent_id}) verified the email address (email_verified), and this workspace accepts its agents' verification (drp.acceptAgentVerification).`,
                },
              }
            : {}),
        },
        context,
      )
    } catch (error) {
      // Nothing was filed: the agent may send the exercise again, signed anew.
      await deleteRequest(deps.db, workspaceId, id)
      throw error
    }
    await updateRequest(deps.db, workspaceId, id, { rights_request_id: filed.id })
    await deps.audit.record({
      workspaceId,
      actor: caller.actor,
      action: 'drp_request.received',
      outcome: 'succeeded',
      resource: { type: 'rights_request', id: filed.id },
      purpose: 'dsar',
      requestId: context.requestId ?? null,
      ip: context.ip ?? null,
      details: {
        exercise: exercise.exercise,
        regime: exercise.regime,
        type: exercise.type,
        verifiedByAgent: trustsAgent,
      },
    })
    if (trustsAgent && autoFulfilled(filed.type)) {
      // As when a person confirms by code: a copy needs no judgement, so it goes at once.
      await fulfilRequest(
        deps.rights,
        { workspaceId, principal: 'system', actor: { actorType: 'system', actorId: null } },
        filed.id,
        {},
        context,
      ).catch((error: unknown) => {
        // The failure stays on the rights request for an operator; the exercise stands.
        deps.logger.warn({ err: error, requestId: filed.id }, 'fulfilment of a DRP exercise failed')
      })
    }
    return currentStatus(deps, { ...row, rights_request_id: filed.id }, { notify: false })
  })
}

/** The request, if this agent filed it; another agent's or an unknown id answers alike. */
async function requestOfAgent(
  deps: DrpDeps,
  agent: DrpAgentsTable,
  requestId: string,
): Promise<DrpRequestsTable> {
  const row = await findRequest(deps.db, agent.workspace_id, requestId)
  // §2.02: a request another agent manages is 403; an unknown one too, so that an id
  // says nothing about other agents' requests.
  if (row === undefined || row.agent_id !== agent.agent_id) {
    throw new DrpRefusal(403, 'not_yours', 'This agent manages no request with this id')
  }
  return row
}

/** The Data Rights Status endpoint (§2.02). */
export async function readExerciseStatus(
  deps: DrpDeps,
  agent: DrpAgentsTable,
  requestId: string,
  context: DrpContext = {},
): Promise<ExerciseStatus> {
  return refusalsAudited(deps, { endpoint: 'status', agent, context }, async () =>
    currentStatus(deps, await requestOfAgent(deps, agent, requestId), { notify: true }),
  )
}

/**
 * The Data Rights Revoke endpoint (§2.04): the person, through their agent, withdraws
 * an open request; the answer carries the new `revoked` state. A request already
 * answered cannot be revoked.
 */
export async function revokeExercise(
  deps: DrpDeps,
  agent: DrpAgentsTable,
  requestId: string,
  body: unknown,
  context: DrpContext = {},
): Promise<ExerciseStatus> {
  return refusalsAudited(deps, { endpoint: 'revoke', agent, context }, async () => {
    const row = await requestOfAgent(deps, agent, requestId)
    const claims = await acceptSigned(deps, agent, body, { required: false, replayScope: row.id })
    const reason = claims.reason
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 2000)) {
      throw new DrpRefusal(
        400,
        'malformed',
        'reason must be a text of at most 2000 characters',
        true,
      )
    }
    if (row.rights_request_id !== null) {
      try {
        await withdrawRequest(
          deps.rights,
          callerOf(agent),
          row.rights_request_id,
          reason === undefined || reason === '' ? {} : { reason },
          context,
        )
      } catch (error) {
        if (error instanceof AppError && error.code === 'conflict') {
          throw new DrpRefusal(
            409,
            'conflict',
            'The request was answered already: it cannot be revoked',
            true,
          )
        }
        throw error
      }
    } else if (row.status !== 'open') {
      throw new DrpRefusal(
        409,
        'conflict',
        'The request was answered already: it cannot be revoked',
        true,
      )
    } else {
      await updateRequest(deps.db, row.workspace_id, row.id, { status: 'revoked' })
    }
    await deps.audit.record({
      workspaceId: row.workspace_id,
      actor: actorOfAgent(agent),
      action: 'drp_request.revoked',
      outcome: 'succeeded',
      resource: { type: 'rights_request', id: row.rights_request_id ?? row.id },
      purpose: 'dsar',
      requestId: context.requestId ?? null,
      ip: context.ip ?? null,
      details: { exercise: row.exercise },
    })
    const fresh = (await findRequest(deps.db, row.workspace_id, row.id)) ?? row
    return currentStatus(deps, fresh, { notify: false })
  })
}
