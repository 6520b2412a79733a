import { AppError } from '../errors.js'

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
 * an AppError `transfer_refused`. The composition root passes the instance's guard in
 * (the governance work's `guardTransfer`, once merged: it looks the host up in the
 * sub-processor registry); tests pass one that allows their local server.
 */
export type TransferGuard = (transfer: CallbackTransfer) => Promise<unknown>

/**
 * The guard to use until the instance's own is wired in: only the hosts named here
 * receive anything, every other recipient is refused. With none named (the default),
 * nothing leaves, and agents learn of changes by asking (`GET
 * /v1/data-rights-request/{request_id}`): a recipient nobody registered never gets
 * personal data by default.
 */
export function allowRegisteredRecipients(hosts: readonly string[] = []): TransferGuard {
  const registered = new Set(hosts.map((host) => host.toLowerCase()))
  return async (transfer) => {
    if (!registered.has(transfer.recipient.host.toLowerCase())) {
      throw new AppError(
        'transfer_refused',
        'The callback recipient is not registered with the transfer guard',
      )
    }
  }
}

/** The data categories a status callback carries. */
export const callbackCategories: readonly string[] = ['identifiers']
