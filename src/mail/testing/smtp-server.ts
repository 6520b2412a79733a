import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

/** A message a test SMTP server accepted: the envelope and the bytes after DATA. */
export interface ReceivedMail {
  readonly mailFrom: string
  readonly rcptTo: readonly string[]
  /** Whether the session was under TLS (STARTTLS or implicit) when DATA came. */
  readonly secure: boolean
  /** The user the client logged in as, if it did. */
  readonly user: string | undefined
  readonly raw: Buffer
}

export interface TestSmtpServer {
  readonly port: number
  readonly received: readonly ReceivedMail[]
  /** Every AUTH attempt's user name, accepted or not. */
  readonly logins: readonly string[]
  close(): Promise<void>
}

export interface TestSmtpServerOptions {
  /** A certificate and key to offer STARTTLS with; none: STARTTLS is not offered. */
  readonly tls?: TestCertificate
  /** The one user and password accepted; none: no login is asked for. */
  readonly login?: { readonly user: string; readonly password: string }
  /** With `tls`: TLS from the first byte (as on port 465) instead of STARTTLS. */
  readonly implicitTls?: boolean
  /** Refuses every recipient with this SMTP reply code. */
  readonly refuseRecipients?: number
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1 and a free port, keeping
 * what it receives in memory.
 */
export async function startTestSmtpServer(
  options: TestSmtpServerOptions = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = []
  const logins: string[] = []
  const { login, refuseRecipients } = options
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    ...(options.tls === undefined
      ? {}
      : { key: options.tls.key, cert: options.tls.cert, secure: options.implicitTls === true }),
    authOptional: login === undefined,
    // Without TLS a login goes in clear: allowed here so a test can see a client do it.
    allowInsecureAuth: options.tls === undefined,
    disabledCommands: [
      ...(options.tls === undefined ? ['STARTTLS'] : []),
      ...(login === undefined ? ['AUTH'] : []),
    ],
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '')
      if (auth.username === login?.user && auth.password === login?.password) {
        callback(null, { user: auth.username })
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
      }
    },
    onRcptTo(address, _session, callback) {
      if (refuseRecipients === undefined) return callback()
      // Real servers quote the address in their reply, as here.
      const error = new Error(`<${address.address}>: Recipient address rejected`)
      callback(Object.assign(error, { responseCode: refuseRecipients }))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks),
        })
        callback()
      })
    },
  }
  const server = new SMTPServer(serverOptions)
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    received,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface TestCertificate {
  readonly key: Buffer
  readonly cert: Buffer
}

/** A throw-away self-signed certificate for localhost and 127.0.0.1, made by openssl. */
export function makeTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-smtp-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    )
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
