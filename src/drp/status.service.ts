import { issueAgentExportLink, type RequestView, requestViewsOf } from '../rights/index.js'
import { inWriteTransaction } from '../storage/index.js'
import type { DrpDeps } from './drp.deps.js'
import { findRequest, lockRequest, updateRequest } from './drp.repository.js'
import type { DrpRequestsTable } from './drp.table.js'
import { openRequest, type SealedRequest, sealRequest } from './request-seal.js'
import { type DrpState, type ExerciseStatus, exerciseStatusOf } from './status.logic.js'

/**
 * The status of one exercise as it stands now, read from the rights request it became,
 * and kept on the DRP row as "last reported". A change the agent did not cause itself
 * (`notify`) queues a status callback (§2.03: the agent is told of status updates).
 */
export async function currentStatus(
  deps: DrpDeps,
  row: DrpRequestsTable,
  options: { notify: boolean; view?: RequestView | undefined },
): Promise<ExerciseStatus> {
  const view =
    options.view ??
    (row.rights_request_id === null
      ? undefined
      : (await requestViewsOf(deps.rights, row.workspace_id, [row.rights_request_id])).get(
          row.rights_request_id,
        ))
  let sealed = await openRequest(deps.keyring, row.workspace_id, row.id, row.sealed)
  if (view?.status === 'completed' && sealed.results === null) {
    sealed = await withResultsLink(deps, row, view)
  }
  const status = exerciseStatusOf({
    id: row.id,
    agentRequestId: sealed.agentRequestId,
    view,
    results: sealed.results,
    reported: { status: row.status as DrpState, reason: row.reason },
  })
  const expectedBy = status.expected_by ?? null
  const reason = status.reason ?? null
  if (status.status !== row.status || reason !== row.reason || expectedBy !== row.expected_by) {
    const now = deps.clock.now().toISOString()
    const notify = options.notify && sealed.statusCallback !== null
    await updateRequest(deps.db, row.workspace_id, row.id, {
      status: status.status,
      reason,
      expected_by: expectedBy,
      updated_at: now,
      ...(notify ? { callback_due_at: now, callback_attempts: 0, callback_last_error: null } : {}),
    })
  }
  return status
}

/**
 * Hands the agent its own link to a fulfilled access or portability export, once: the
 * token's hash goes into the rights request and the link into this row's sealed part in
 * one transaction, so no link is handed out that the row does not keep.
 */
async function withResultsLink(
  deps: DrpDeps,
  row: DrpRequestsTable,
  view: RequestView,
): Promise<SealedRequest> {
  const issued = await inWriteTransaction(deps.db, async (trx) => {
    await lockRequest(trx, row.workspace_id, row.id)
    const fresh = (await findRequest(trx, row.workspace_id, row.id)) ?? row
    const sealed = await openRequest(deps.keyring, row.workspace_id, row.id, fresh.sealed, {
      db: trx,
    })
    if (sealed.results !== null) return { sealed, issued: false }
    const results = await issueAgentExportLink(deps.rights, trx, {
      workspaceId: row.workspace_id,
      requestId: view.id,
    })
    if (results === undefined) return { sealed, issued: false }
    const next = { ...sealed, results }
    await updateRequest(trx, row.workspace_id, row.id, {
      sealed: await sealRequest(deps.keyring, row.workspace_id, row.id, next, { db: trx }),
    })
    return { sealed: next, issued: true }
  })
  if (issued.issued && issued.sealed.results !== null) {
    await deps.audit.record({
      workspaceId: row.workspace_id,
      actor: { actorType: 'system', actorId: null },
      action: 'drp_request.results_link_issued',
      outcome: 'succeeded',
      resource: { type: 'rights_request', id: view.id },
      purpose: 'dsar',
      details: {
        agentId: row.agent_id,
        exercise: row.exercise,
        expiresAt: issued.sealed.results.expiresAt,
      },
    })
  }
  return issued.sealed
}
