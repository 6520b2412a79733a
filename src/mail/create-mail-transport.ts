import { type Clock, systemClock } from '../clock.js'
import type { Config } from '../config.js'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { type MailSender, parseMailFrom, parseSmtpUrl, type SmtpEndpoint } from './mail-settings.js'
import type { MailTransport } from './mail-transport.js'
import { createOutboxTransport, outboxDirectory } from './outbox-transport.js'
import { createSmtpTransport } from './smtp-transport.js'

export type MailConfig = Pick<Config, 'dataDir' | 'smtpUrl' | 'mailFrom'>

export interface MailTransportOptions {
  readonly clock?: Clock
}

/**
 * The transport the configuration asks for: SMTP when CUSTODIAN_SMTP_URL is set, else the
 * outbox under the data directory, with one warning at start that mail is not delivered
 * (a person waiting for their verification code would otherwise wait in silence).
 */
export function createMailTransport(
  config: MailConfig,
  logger: Logger,
  options: MailTransportOptions = {},
): MailTransport {
  const clock = options.clock ?? systemClock
  const sender = trusted(parseMailFrom(config.mailFrom))
  if (config.smtpUrl === undefined) {
    const directory = outboxDirectory(config.dataDir)
    logger.warn(
      { outbox: directory },
      'CUSTODIAN_SMTP_URL is not set: mail is not delivered but written to the outbox as .eml files (set it to send verification codes and notices)',
    )
    return createOutboxTransport({ directory, sender, clock, logger })
  }
  const endpoint: SmtpEndpoint = trusted(parseSmtpUrl(config.smtpUrl))
  // The host, port and TLS mode help an operator; the user and password stay out.
  logger.info(
    { smtp: { host: endpoint.host, port: endpoint.port, tls: endpoint.security } },
    'mail is sent through SMTP',
  )
  return createSmtpTransport({ endpoint, sender, clock })
}

// loadConfig already refused a bad value; this guards a Config built by hand.
function trusted<T extends SmtpEndpoint | MailSender>(
  parsed: { ok: true; value: T } | { ok: false; problem: string },
): T {
  if (parsed.ok) return parsed.value
  throw new AppError('internal', `The mail configuration is not valid: it ${parsed.problem}`)
}
