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
