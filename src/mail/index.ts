export type { MailTransport, OutgoingMail, SentMail } from './mail-transport.js'
export {
  createMailTransport,
  type MailConfig,
  type MailTransportOptions,
} from './create-mail-transport.js'
export { createSmtpTransport, type SmtpTransportOptions } from './smtp-transport.js'
export {
  createOutboxTransport,
  outboxDirectory,
  type OutboxTransportOptions,
} from './outbox-transport.js'
export {
  checkSenderForEndpoint,
  defaultMailFrom,
  type MailSender,
  parseMailFrom,
  parseSmtpUrl,
  type Parsed,
  type SmtpEndpoint,
  type SmtpSecurity,
} from './mail-settings.js'
