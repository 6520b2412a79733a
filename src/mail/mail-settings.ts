import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import addressparser from 'nodemailer/lib/addressparser'
import { isEmailAddress } from '../email/index.js'

/**
 * The two mail settings read and checked in one place: `config.ts` calls these at start
 * (and turns a problem into a ConfigError), the transports call them again to build their
 * options. Pure: no I/O, no nodemailer transport.
 *
 * A problem never quotes the SMTP URL, which carries the password.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string }

/**
 * How the connection to the mail server is protected:
 * - `implicit`: TLS from the first byte (`smtps://`, port 465 by default);
 * - `starttls`: plain TCP upgraded by STARTTLS, and sending fails when the server does not
 *   offer it (`smtp://`, port 587 by default), so a stripped STARTTLS never sends the
 *   password or the mail in clear;
 * - `off`: no TLS at all, allowed only for a server on this machine (`?tls=off` with
 *   localhost, 127.0.0.0/8 or ::1), such as a development mail catcher.
 * The server's certificate is always verified against the system's CAs (and those in
 * NODE_EXTRA_CA_CERTS, for a relay with a private CA).
 */
export type SmtpSecurity = 'implicit' | 'starttls' | 'off'

export interface SmtpEndpoint {
  readonly host: string
  readonly port: number
  readonly security: SmtpSecurity
  readonly user?: string
  readonly password?: string
}

/** The sender every mail carries (From), from CUSTODIAN_MAIL_FROM. */
export interface MailSender {
  /** The display name, `Custodian` in `Custodian <no-reply@example.com>`; may be empty. */
  readonly name: string
  readonly address: string
}

export const defaultMailFrom = 'Custodian <no-reply@localhost>'

const smtpUrlShape =
  'must be an smtp:// (STARTTLS) or smtps:// (TLS) URL with a host, e.g. smtps://user:password@mail.example.com'

export function parseSmtpUrl(text: string): Parsed<SmtpEndpoint> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse(smtpUrlShape)
  }
  const scheme = url.protocol
  if (scheme !== 'smtp:' && scheme !== 'smtps:') return refuse(smtpUrlShape)
  if ((url.pathname !== '' && url.pathname !== '/') || url.hash !== '') return refuse(smtpUrlShape)
  const host = hostOf(url)
  if (host === undefined) return refuse(smtpUrlShape)
  const port = url.port === '' ? (scheme === 'smtps:' ? 465 : 587) : Number(url.port)
  if (port === 0) return refuse('must name a port from 1 to 65535')
  const credentials = credentialsOf(url)
  if (!credentials.ok) return credentials
  const security = securityOf(url, host)
  if (!security.ok) return security
  return {
    ok: true,
    value: Object.freeze({ host, port, security: security.value, ...credentials.value }),
  }
}

export function parseMailFrom(text: string): Parsed<MailSender> {
  const shape = 'must be one address, optionally with a name: Custodian <no-reply@example.com>'
  // Control characters would end the header early and start a new one.
  if (/\p{Cc}/u.test(text)) return refuse(shape)
  const parsed = addressparser(text)
  const only = parsed[0]
  if (parsed.length !== 1 || only === undefined || only.group !== undefined) return refuse(shape)
  if (!isSenderAddress(only.address)) return refuse(shape)
  return { ok: true, value: Object.freeze({ name: only.name, address: only.address }) }
}

/**
 * A sender at `localhost` (the default) is for development: a mail server elsewhere would
 * pass it to receiving servers that refuse it or file it as spam, and the person never
 * sees their code. Returns the problem to report, or undefined when the pair is fine.
 */
export function checkSenderForEndpoint(
  sender: MailSender,
  endpoint: SmtpEndpoint,
): string | undefined {
  if (!isLocalhostAddress(sender.address) || isLoopbackHost(endpoint.host)) return undefined
  return 'must be set to an address of your own domain when CUSTODIAN_SMTP_URL points at a mail server: receiving servers refuse mail from @localhost'
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

function hostOf(url: URL): string | undefined {
  // smtp: is not a special scheme for WHATWG URLs: the host stays percent-encoded and
  // IPv6 keeps its brackets. An international host name becomes its A-label here.
  let host: string
  try {
    host = decodeURIComponent(url.hostname)
  } catch {
    return undefined
  }
  if (host.startsWith('[') && host.endsWith(']')) {
    const literal = host.slice(1, -1)
    return isIP(literal) === 6 ? literal : undefined
  }
  if (isIP(host) === 4) return host
  const ascii = domainToASCII(host)
  return ascii === '' ? undefined : ascii
}

function credentialsOf(url: URL): Parsed<{ user?: string; password?: string }> {
  if (url.username === '' && url.password === '') return { ok: true, value: {} }
  if (url.username === '' || url.password === '') {
    return refuse('must carry both a user and a password, or neither')
  }
  try {
    return {
      ok: true,
      value: { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) },
    }
  } catch {
    return refuse('has a user or password with a broken %-escape')
  }
}

function securityOf(url: URL, host: string): Parsed<SmtpSecurity> {
  const keys = [...url.searchParams.keys()]
  if (keys.length === 0)
    return { ok: true, value: url.protocol === 'smtps:' ? 'implicit' : 'starttls' }
  if (keys.length !== 1 || keys[0] !== 'tls' || url.searchParams.get('tls') !== 'off') {
    return refuse('has an option other than tls=off, the only one there is')
  }
  if (url.protocol === 'smtps:') return refuse('cannot be smtps:// and say tls=off')
  if (!isLoopbackHost(host)) {
    return refuse(
      'may say tls=off only for a mail server on this machine (localhost, 127.0.0.1 or ::1): elsewhere the password and the mail would cross the network in clear',
    )
  }
  return { ok: true, value: 'off' }
}

function isSenderAddress(address: string): boolean {
  return isEmailAddress(address) || isLocalhostAddress(address)
}

// isEmailAddress wants a domain of two labels; a development sender at localhost has one.
function isLocalhostAddress(address: string): boolean {
  const at = address.lastIndexOf('@')
  return (
    at > 0 &&
    address.slice(at + 1).toLowerCase() === 'localhost' &&
    isEmailAddress(`${address.slice(0, at)}@localhost.test`)
  )
}

function refuse(problem: string): { ok: false; problem: string } {
  return { ok: false, problem }
}
