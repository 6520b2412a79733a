import { AppError } from '../errors.js'

/**
 * A failed send as an AppError whose message says what went wrong in words of our own.
 * Nodemailer's messages and the server's replies are never copied: they quote the
 * recipient (`550 <jo@example.com>: no such user`), and the error reaches logs and the
 * request's timeline. Only codes pass through: nodemailer's, the socket's or OpenSSL's
 * under it, and the SMTP reply code.
 */
const explanations: Readonly<Record<string, string>> = {
  ECONNECTION: 'the mail server could not be reached or closed the connection',
  ESOCKET: 'the mail server could not be reached',
  ETIMEDOUT: 'the mail server did not answer in time',
  EDNS: 'the mail server name did not resolve',
  ETLS: 'the mail server offers no STARTTLS, and CUSTODIAN_SMTP_URL requires TLS (tls=off is allowed only for a server on this machine)',
  EAUTH: 'the mail server refused the user and password of CUSTODIAN_SMTP_URL',
  ENOAUTH: 'the mail server wants a login and CUSTODIAN_SMTP_URL has no user and password',
  EPROTOCOL: 'the mail server answered outside the SMTP protocol',
  EENVELOPE: 'the mail server refused the sender or the recipient',
  EMESSAGE: 'the mail server refused the message',
}

// What lies under ESOCKET, when it says more than "could not be reached".
const socketExplanations: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the mail server could not be reached: nothing accepts connections on its port',
  ENOTFOUND: 'the mail server name did not resolve',
  EAI_AGAIN: 'the mail server name did not resolve',
  EHOSTUNREACH: 'the mail server could not be reached: no route to its host',
}

const untrustedCertificate =
  "the mail server's TLS certificate is not trusted or not made for its host name (a private CA is trusted through NODE_EXTRA_CA_CERTS)"

interface NodemailerFailure {
  code?: unknown
  /** The socket's or OpenSSL's code under ESOCKET: ECONNREFUSED, CERT_HAS_EXPIRED… */
  originalCode?: unknown
  responseCode?: unknown
}

// Error codes are upper-case words; anything else is not copied into our message.
function codeOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(value) ? value : undefined
}

export function mailError(error: unknown): AppError {
  const failure: NodemailerFailure = typeof error === 'object' && error !== null ? error : {}
  const code = codeOf(failure.code)
  const cause = codeOf(failure.originalCode)
  const reply = typeof failure.responseCode === 'number' ? failure.responseCode : undefined
  const what =
    cause !== undefined && /CERT|SIGNATURE|ISSUER|SELF_SIGNED/.test(cause)
      ? untrustedCertificate
      : ((cause && socketExplanations[cause]) ??
        (code && explanations[code]) ??
        'the mail server failed')
  const details = [code, cause, reply === undefined ? undefined : `SMTP ${reply}`]
    .filter((part) => part !== undefined)
    .join(', ')
  const message = `Mail was not sent: ${what}${details === '' ? '' : ` (${details})`}`
  // RFC 5321 §4.2.1: a 5yz reply to the envelope or the message is permanent, the same
  // message gets it again; 4yz is transient. 503 (bad sequence of commands) says the
  // session was in the wrong state, not that the message was refused. A refused login
  // (535) is our configuration, not the message: it is fixed and sent again later.
  const aboutTheMessage = code === undefined || code === 'EENVELOPE' || code === 'EMESSAGE'
  const permanent =
    aboutTheMessage && reply !== undefined && reply >= 500 && reply < 600 && reply !== 503
  return new AppError(permanent ? 'mail_rejected' : 'mail_unavailable', message)
}

/** The outbox could not be written: the file system's code only, never the path's data. */
export function outboxError(error: unknown): AppError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
  const suffix = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? ` (${code})` : ''
  return new AppError('mail_unavailable', `Mail was not written to the outbox${suffix}`)
}

/** A send after close(): the caller's shutdown order is wrong, not the mail server. */
export function closedError(): AppError {
  return new AppError('mail_unavailable', 'Mail was not sent: the mail transport is closed')
}
