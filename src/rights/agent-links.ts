import { randomBytes } from 'node:crypto'
import type { Database } from '../storage/index.js'
import { deliversExport, type RequestType } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import { findRequest, findRequestsByIds, updateRequest } from './rights.repository.js'
import { type RequestView, viewOf } from './rights.service.js'
import { tokenHash } from './verification.logic.js'

/**
 * What another door into the rights module needs of it (the Data Rights Protocol's, in
 * src/drp): the state of the requests it filed, and a download link of its own for a
 * fulfilled access or portability request. Nothing here opens a request's envelope.
 */

/** The views of some requests of one workspace (states and clocks, no one named), by id. */
export async function requestViewsOf(
  deps: Pick<RightsDeps, 'db' | 'clock'>,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, RequestView>> {
  const now = deps.clock.now()
  const rows = await findRequestsByIds(deps.db, workspaceId, ids)
  return new Map(rows.map((row) => [row.id, viewOf(row, now)]))
}

/**
 * A download link to the export of a fulfilled access or portability request for the
 * authorised agent that filed it (Art. 12(1), 15(3): the answer goes to whoever the
 * person chose to act for them). It is a second token beside the one mailed to the
 * person, whose link keeps working; a new one replaces the agent's earlier token; both
 * expire with the export. Runs in the caller's write transaction, so the caller keeps
 * the link in the same commit as the token's hash. Undefined when there is nothing to
 * download: another type, not completed, or expired.
 */
export async function issueAgentExportLink(
  deps: Pick<RightsDeps, 'clock' | 'publicUrl'>,
  trx: Database,
  ref: { workspaceId: string; requestId: string },
): Promise<{ url: string; expiresAt: string } | undefined> {
  const row = await findRequest(trx, ref.workspaceId, ref.requestId)
  if (
    row === undefined ||
    row.status !== 'completed' ||
    !deliversExport(row.type as RequestType) ||
    row.export_expires_at === null ||
    row.export_expires_at <= deps.clock.now().toISOString()
  ) {
    return undefined
  }
  const token = randomBytes(32).toString('base64url')
  await updateRequest(trx, ref.workspaceId, ref.requestId, {
    agent_export_token_hash: tokenHash(token),
  })
  return {
    url: `${deps.publicUrl()}/v1/rights/exports/${token}`,
    expiresAt: row.export_expires_at,
  }
}
