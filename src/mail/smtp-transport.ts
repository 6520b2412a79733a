import nodemailer from 'nodemailer'
import { type Clock, systemClock } from '../clock.js'
import { composeMessage } from './compose.js'
import { closedError, mailError } from './mail-errors.js'
import type { MailSender, SmtpEndpoint } from './mail-settings.js'
import type { MailTransport, OutgoingMail, SentMail } from './mail-transport.js'

export interface SmtpTransportOptions {
  readonly endpoint: SmtpEndpoint
  readonly sender: MailSender
  readonly clock?: Clock
  /**
   * Certificates to trust for the server, in PEM, instead of the system's CAs: for tests.
   * A relay with a private CA is trusted through NODE_EXTRA_CA_CERTS instead, which adds
   * to the system's CAs.
   */
  readonly trustedCertificates?: string | Buffer
}

// A few connections are enough for codes and notices; each sends up to 100 messages.
const maxConnections = 3
// Long enough for a slow relay, short enough that a caller waiting on a send hears back.
const connectionTimeoutMs = 15_000
const socketTimeoutMs = 60_000

/**
 * Mail through an SMTP server with nodemailer's pooled transport. TLS as the endpoint
 * says (see SmtpSecurity): with `starttls` the send fails when the server does not offer
 * STARTTLS, instead of going on in clear.
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const { endpoint, sender } = options
  const clock = options.clock ?? systemClock
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'implicit',
    requireTLS: endpoint.security === 'starttls',
    ignoreTLS: endpoint.security === 'off',
    ...(endpoint.user === undefined
      ? {}
      : { auth: { user: endpoint.user, pass: endpoint.password ?? '' } }),
    tls: {
      minVersion: 'TLSv1.2',
      ...(options.trustedCertificates === undefined ? {} : { ca: options.trustedCertificates }),
    },
    connectionTimeout: connectionTimeoutMs,
    greetingTimeout: connectionTimeoutMs,
    socketTimeout: socketTimeoutMs,
    // Nodemailer's own log lines would carry addresses and the SMTP dialogue.
    logger: false,
    debug: false,
  })
  let closed = false
  return {
    async send(mail: OutgoingMail): Promise<SentMail> {
      if (closed) throw closedError()
      const message = composeMessage(mail, sender, clock.now())
      try {
        const sent = await transporter.sendMail(message)
        return { messageId: sent.messageId }
      } catch (error) {
        throw mailError(error)
      }
    },
    async close(): Promise<void> {
      closed = true
      transporter.close()
    },
  }
}
