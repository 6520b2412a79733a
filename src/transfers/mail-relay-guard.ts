import type { MailTransport } from '../mail/index.js'
import { parseSmtpUrl } from '../mail/index.js'
import { guardTransfer } from './transfer-guard.js'
import type { TransferDeps } from './transfers.deps.js'

/**
 * What a message hands the relay: the recipient's address (an identifier, for a data
 * subject; an operator's account address, for staff mail) and what the text says.
 */
export const mailCategories: readonly string[] = ['identifiers', 'operator-account']

/**
 * The mail transport behind the transfer guard. An SMTP relay is a sub-processor that
 * receives people's addresses and messages, so every message first asks the guard, and
 * a relay nobody registered, or registered without a DPA, sends nothing. The outbox
 * (no SMTP URL) writes to the instance's own disk: no transfer, no guard. A relay on
 * this machine (localhost) is the instance's own too.
 */
export function guardMailRelay(
  deps: TransferDeps,
  smtpUrl: string | undefined,
  transport: MailTransport,
): MailTransport {
  if (smtpUrl === undefined) return transport
  const parsed = parseSmtpUrl(smtpUrl)
  // loadConfig refused a bad URL already; this holds for a configuration built by hand.
  if (!parsed.ok) throw new Error(`The SMTP URL ${parsed.problem}`)
  const host = parsed.value.host
  return {
    send: async (mail) => {
      await guardTransfer(deps, {
        workspaceId: null,
        kind: 'mail',
        recipient: { host },
        categories: mailCategories,
      })
      return transport.send(mail)
    },
    close: () => transport.close(),
  }
}
