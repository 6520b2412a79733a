import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { registeredRecipients } from './subprocessors.service.js'
import {
  decideTransfer,
  refusalReasons,
  type TransferGround,
  type TransferKind,
} from './transfer-guard.logic.js'
import type { TransferDeps } from './transfers.deps.js'

/** One outbound sending of personal data, as the path that sends it describes it. */
export interface TransferRequest {
  /** The workspace whose data goes out; null for the instance's own (backups, the mail relay). */
  readonly workspaceId: string | null
  readonly kind: TransferKind
  /** The registered recipient by id, or by the host name the path connects to. */
  readonly recipient: { readonly subprocessorId: string } | { readonly host: string }
  /** The data categories sent (the data map's names): all must be registered for it. */
  readonly categories: readonly string[]
  /** Who caused it; the system when absent. */
  readonly actor?: Actor
  readonly requestId?: string | null
}

export interface ApprovedTransfer {
  /** The registry entry it goes to; null when it never leaves this machine. */
  readonly subprocessorId: string | null
  readonly ground: TransferGround | 'local'
  /** The adequacy decision relied on, when that is the ground. */
  readonly decision?: string
}

function isLoopback(host: string): boolean {
  const name = host.toLowerCase()
  return (
    name === 'localhost' || name === '::1' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name)
  )
}

/**
 * The transfer guard (DESIGN principle 6): the one function every outbound path calls
 * before personal data leaves the instance: the mail relay, backup destinations, the
 * enrichment provider, webhooks. It finds the recipient in the sub-processor registry
 * and refuses, with an AppError `transfer_refused` that is audited first, a recipient
 * that is not registered, has no DPA, is not registered for the data's categories, lies
 * outside the instance region for storage or backups, or sits in a third country without
 * an adequacy decision or without SCCs (or BCRs) plus a supplementary measure.
 *
 * @example
 *   await guardTransfer(modules.transfers, {
 *     workspaceId: null, kind: 'backup', recipient: { host: 's3.eu-west-1.amazonaws.com' },
 *     categories: ['identifiers', 'browsing'],
 *   })
 */
export async function guardTransfer(
  deps: TransferDeps,
  request: TransferRequest,
): Promise<ApprovedTransfer> {
  // The instance's own machine (a local relay, a local disk) is no transfer at all.
  if (
    request.workspaceId === null &&
    'host' in request.recipient &&
    isLoopback(request.recipient.host)
  ) {
    return { subprocessorId: null, ground: 'local' }
  }
  const candidates = await registeredRecipients(deps, request.workspaceId)
  const recipient = candidates.find((candidate) =>
    'subprocessorId' in request.recipient
      ? candidate.id === request.recipient.subprocessorId
      : candidate.fields.endpoints.includes(request.recipient.host.toLowerCase()),
  )
  const decision = decideTransfer({
    recipient: recipient?.fields,
    kind: request.kind,
    categories: request.categories,
    at: deps.clock.now(),
    instanceRegion: deps.instanceRegion,
  })
  if (decision.allowed) {
    return {
      subprocessorId: recipient?.id ?? null,
      ground: decision.ground,
      ...(decision.decision === undefined ? {} : { decision: decision.decision }),
    }
  }
  await deps.audit.record({
    workspaceId: request.workspaceId,
    actor: request.actor ?? { actorType: 'system', actorId: null },
    action: 'transfer.refused',
    outcome: 'denied',
    resource: { type: 'subprocessor', id: recipient?.id ?? null },
    requestId: request.requestId ?? null,
    details: {
      kind: request.kind,
      reason: decision.reason,
      recipient: recipient?.id ?? 'unregistered',
      country: recipient?.fields.country ?? 'unknown',
      categories: request.categories.slice(0, 32),
    },
  })
  throw new AppError(
    'transfer_refused',
    `The ${request.kind} transfer was refused (${decision.reason}): ${refusalReasons[decision.reason]}`,
  )
}
