/**
 * One sending of personal data out of the instance, described the way the transfer
 * guard (DESIGN principle 6, Chapter V GDPR) asks for it: a status callback to an
 * authorised agent is a webhook to the agent's host carrying identifiers (the request's
 * ids, and with a fulfilled access request the link to the person's export).
 */
export interface CallbackTransfer {
  readonly workspaceId: string
  readonly kind: 'webhook'
  readonly recipient: { readonly host: string }
  readonly categories: readonly string[]
}

/**
 * The seam a status callback passes before it leaves: resolves to go ahead, or throws
 * an AppError `transfer_refused`. The composition root passes the instance's transfer
 * guard in (`guardTransfer` of the transfers module, which finds the host in the
 * sub-processor registry and audits a refusal), so the DRP module depends on this shape
 * only, not on the transfers module; the tests register their local server there.
 */
export type TransferGuard = (transfer: CallbackTransfer) => Promise<unknown>

/** The data categories a status callback carries. */
export const callbackCategories: readonly string[] = ['identifiers']
