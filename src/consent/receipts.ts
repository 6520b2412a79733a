import { AppError } from '../errors.js'
import { jwksPath, signForWorkspace } from '../signing/index.js'
import { getWorkspace, privacyNoticePath, readController } from '../workspaces/index.js'
import { selectPolicyById } from './catalogue.repository.js'
import type { ConsentDeps } from './consent.deps.js'
import { findLinkedSubjects, type SubjectIdentifier } from '../subjects/index.js'
import { selectEvent } from './consent.repository.js'
import { purposeActions } from './ledger.logic.js'
import { toLedgerEvent } from './ledger.rows.js'
import { findPurposeTerms } from './purpose-terms.js'
import { type PurposeTerms, purposeTermsOf } from './purposes.logic.js'
import { findPurpose } from './purposes.service.js'
import type { ConsentReader } from './read-consents.js'
import { buildReceipt, type ConsentReceipt } from './receipt.logic.js'

export interface ReceiptRequest {
  workspaceId: string
  receiptId: string
  /**
   * The subject the receipt must belong to. The browser SDK must name its own
   * anonymous id: a receipt id alone does not open another visitor's receipt.
   */
  owner?: SubjectIdentifier
  reader: ConsentReader
}

/** The receipt of one grant, withdrawal or objection; 404 for anything else or anyone else's. */
export async function getReceipt(
  deps: ConsentDeps,
  request: ReceiptRequest,
): Promise<ConsentReceipt> {
  const { workspaceId } = request
  const row = await selectEvent(deps.db, workspaceId, request.receiptId)
  const event = row === undefined ? undefined : toLedgerEvent(row)
  if (
    row === undefined ||
    event === undefined ||
    event.purpose === null ||
    !purposeActions.has(event.action)
  ) {
    throw notFound()
  }
  if (
    request.owner !== undefined &&
    !(await owns(deps, workspaceId, request.owner, row.subject_id))
  ) {
    throw notFound()
  }
  const terms = await termsOf(deps, workspaceId, event.purpose, event.purposeTermsSha256)
  if (terms === undefined) throw notFound()
  const policy =
    row.policy_id === null ? undefined : await selectPolicyById(deps.db, workspaceId, row.policy_id)
  const workspace = await getWorkspace(deps.db, workspaceId)
  const record = await readController(deps, workspaceId)
  if (record === null) {
    throw new AppError(
      'conflict',
      'The workspace has not recorded who it is as a controller (PATCH /v1/workspace with controller): a consent receipt must name the controller and its contact details (Art. 13(1)(a); Kantara Consent Receipt v1.1)',
    )
  }
  const publicUrl = publicUrlOf(deps)
  await deps.audit.record({
    workspaceId,
    actor: request.reader.actor,
    action: 'consent.receipt_read',
    resource: { type: 'consent_event', id: event.id },
    subjectId: event.subjectId,
    purpose: event.purpose,
    outcome: 'succeeded',
    requestId: request.reader.requestId ?? null,
    ip: request.reader.ip ?? null,
  })
  return buildReceipt({
    event,
    terms,
    policy: policy === undefined ? null : { url: policy.url, textSha256: policy.text_sha256 },
    noticeUrl: `${publicUrl}${privacyNoticePath(workspaceId)}`,
    controller: { name: workspace.name, region: workspace.region, record },
    proofHeld: { ip: row.ip !== null, userAgent: row.user_agent !== null },
  })
}

/**
 * The receipt as a compact JWS (RFC 7515) under the workspace's signing key, Ed25519: a
 * person who keeps it can prove what they agreed to with the key set published at
 * `GET /v1/workspaces/{id}/jwks.json`, without trusting this server afterwards.
 */
export async function getSignedReceipt(
  deps: ConsentDeps,
  request: ReceiptRequest,
): Promise<{ receipt: ConsentReceipt; jws: string }> {
  const receipt = await getReceipt(deps, request)
  const jws = await signForWorkspace(deps, {
    workspaceId: request.workspaceId,
    payload: receipt,
    jwksUrl: `${publicUrlOf(deps)}${jwksPath(request.workspaceId)}`,
    typ: 'JOSE',
  })
  return { receipt, jws }
}

function publicUrlOf(deps: ConsentDeps): string {
  if (deps.publicUrl === undefined) {
    throw new Error('Consent receipts need the public URL (ConsentDeps.publicUrl)')
  }
  return deps.publicUrl().replace(/\/+$/, '')
}

/**
 * The purpose's terms the choice was made under; for a choice recorded before terms
 * were kept (no digest), the purpose as it stands now, and the receipt says which.
 */
async function termsOf(
  deps: ConsentDeps,
  workspaceId: string,
  purposeName: string,
  termsSha256: string | null,
): Promise<PurposeTerms | undefined> {
  if (termsSha256 !== null) return findPurposeTerms(deps.db, workspaceId, termsSha256)
  const current = await findPurpose(deps.db, workspaceId, purposeName)
  return current === undefined ? undefined : purposeTermsOf(current)
}

async function owns(
  deps: ConsentDeps,
  workspaceId: string,
  owner: SubjectIdentifier,
  eventSubjectId: string,
): Promise<boolean> {
  const person = await findLinkedSubjects(deps, { workspaceId, subject: owner })
  return person?.subjectIds.includes(eventSubjectId) ?? false
}

function notFound(): AppError {
  return new AppError('not_found', 'No such consent receipt')
}
