import type { Job } from '../jobs/index.js'
import { AppError } from '../errors.js'
import { requestViewsOf } from '../rights/index.js'
import type { DrpDeps } from './drp.deps.js'
import {
  dueCallbacks,
  findAgentByRow,
  forgetExpiredMessages,
  openRequests,
  updateRequest,
} from './drp.repository.js'
import type { DrpRequestsTable } from './drp.table.js'
import { openRequest } from './request-seal.js'
import { currentStatus } from './status.service.js'
import { callbackCategories } from './transfer-seam.js'

/**
 * The status callbacks of §2.03, as an outbox: a status change marks its request's
 * callback due, and this job delivers it, retrying with backoff until the agent answers
 * 2xx or the attempts run out. Each run first follows the open requests (their rights
 * requests move on without the agent), then delivers what is due, then forgets expired
 * replay hashes.
 */

/** Waits after each failed attempt; after the last, the callback is given up. */
export const callbackBackoffMs = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  60 * 60_000,
  4 * 3_600_000,
  12 * 3_600_000,
  24 * 3_600_000,
] as const
const maxAttempts = callbackBackoffMs.length + 1
const callbackTimeoutMs = 10_000
/** Per run: ten seconds each at worst keeps a run well inside its lease. */
const deliveriesPerRun = 20
const followedPerRun = 500
/** A request whose filing never finished (a crash between the two writes) after this long. */
const abandonedFilingMs = 60 * 60_000

export async function runDrpCallbacks(deps: DrpDeps): Promise<string> {
  const followed = await followOpenRequests(deps)
  let delivered = 0
  let failed = 0
  const now = deps.clock.now().toISOString()
  for (const row of await dueCallbacks(deps.db, now, deliveriesPerRun)) {
    if (await deliverCallback(deps, row)) delivered += 1
    else failed += 1
  }
  const forgotten = await forgetExpiredMessages(deps.db, deps.clock.now().toISOString())
  return `followed ${followed}, delivered ${delivered}, failed ${failed}, forgot ${forgotten}`
}

async function followOpenRequests(deps: DrpDeps): Promise<number> {
  const rows = await openRequests(deps.db, followedPerRun)
  const byWorkspace = new Map<string, DrpRequestsTable[]>()
  for (const row of rows)
    byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), row])
  const now = deps.clock.now()
  for (const [workspaceId, group] of byWorkspace) {
    const ids = group.flatMap((row) =>
      row.rights_request_id === null ? [] : [row.rights_request_id],
    )
    const views = await requestViewsOf(deps.rights, workspaceId, ids)
    for (const row of group) {
      if (row.rights_request_id === null) {
        if (now.getTime() - Date.parse(row.created_at) > abandonedFilingMs) {
          // §3.02 denied/other: the agent learns it must file again.
          await updateRequest(deps.db, workspaceId, row.id, {
            status: 'denied',
            reason: 'other',
            updated_at: now.toISOString(),
            callback_due_at: now.toISOString(),
            callback_attempts: 0,
          })
        }
        continue
      }
      await currentStatus(deps, row, { notify: true, view: views.get(row.rights_request_id) })
    }
  }
  return rows.length
}

/** One attempt at one callback; true when the agent took it. */
async function deliverCallback(deps: DrpDeps, row: DrpRequestsTable): Promise<boolean> {
  const sealed = await openRequest(deps.keyring, row.workspace_id, row.id, row.sealed)
  const agent = await findAgentByRow(deps.db, row.workspace_id, row.agent_ref)
  if (sealed.statusCallback === null || agent === undefined) {
    // A removed agent is told nothing more.
    await updateRequest(deps.db, row.workspace_id, row.id, {
      callback_due_at: null,
      callback_last_error: agent === undefined ? 'agent_removed' : null,
    })
    return false
  }
  const status = await currentStatus(deps, row, { notify: false })
  const url = new URL(sealed.statusCallback)
  const attempt = row.callback_attempts + 1
  const why = await post(deps, row, url, status)
  const now = deps.clock.now()
  if (why === undefined) {
    await updateRequest(deps.db, row.workspace_id, row.id, {
      callback_due_at: null,
      callback_attempts: attempt,
      callback_last_error: null,
      callback_delivered_at: now.toISOString(),
    })
    await deps.audit.record({
      workspaceId: row.workspace_id,
      actor: { actorType: 'system', actorId: null },
      action: 'drp_callback.delivered',
      outcome: 'succeeded',
      resource: { type: 'drp_request', id: row.id },
      details: { status: status.status, attempt },
    })
    return true
  }
  const wait = callbackBackoffMs[attempt - 1]
  const retry = attempt < maxAttempts && wait !== undefined
  await updateRequest(deps.db, row.workspace_id, row.id, {
    callback_due_at: retry ? new Date(now.getTime() + wait).toISOString() : null,
    callback_attempts: attempt,
    callback_last_error: why,
  })
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor: { actorType: 'system', actorId: null },
    action: 'drp_callback.failed',
    outcome: 'failed',
    resource: { type: 'drp_request', id: row.id },
    details: { status: status.status, attempt, why, retry },
  })
  return false
}

/**
 * Posts the status through the transfer guard; undefined when the agent answered 2xx,
 * else why not. Redirects are not followed (the guard approved this host, not another),
 * and the answer's body is discarded unread (§2.03.1).
 */
async function post(
  deps: DrpDeps,
  row: DrpRequestsTable,
  url: URL,
  status: object,
): Promise<string | undefined> {
  try {
    await deps.guardTransfer({
      workspaceId: row.workspace_id,
      kind: 'webhook',
      recipient: { host: url.hostname },
      categories: callbackCategories,
    })
  } catch (error) {
    if (error instanceof AppError && error.code === 'transfer_refused') return 'transfer_refused'
    throw error
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(status),
      redirect: 'manual',
      signal: AbortSignal.timeout(callbackTimeoutMs),
    })
    await response.body?.cancel()
    return response.status >= 200 && response.status < 300 ? undefined : `http_${response.status}`
  } catch (error) {
    const name = error instanceof Error ? error.name : ''
    return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable'
  }
}

export function drpJobs(deps: DrpDeps): Job[] {
  return [
    {
      name: 'drp-callbacks',
      everyMs: 60_000,
      leaseMs: 5 * 60_000,
      run: () => runDrpCallbacks(deps),
    },
  ]
}
