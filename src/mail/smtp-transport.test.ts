import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ManualClock } from '../clock.js'
import { AppError } from '../errors.js'
import { parseSmtpUrl } from './mail-settings.js'
import type { MailTransport } from './mail-transport.js'
import { createSmtpTransport } from './smtp-transport.js'
import { parseMessage } from './testing/parse-message.js'
import {
  makeTestCertificate,
  startTestSmtpServer,
  type TestCertificate,
} from './testing/smtp-server.js'

const sender = { name: 'Acme Privacy', address: 'privacy@acme.example' }
const recipient = 'jo.smith@bücher.de'
const password = 'hunter2-secret'

function smtpTransport(url: string, trustedCertificates?: Buffer): MailTransport {
  const endpoint = parseSmtpUrl(url)
  assert.ok(endpoint.ok)
  return createSmtpTransport({
    endpoint: endpoint.value,
    sender,
    clock: new ManualClock('2026-03-01T09:30:00Z'),
    ...(trustedCertificates === undefined ? {} : { trustedCertificates }),
  })
}

async function sendFailure(transport: MailTransport): Promise<AppError> {
  try {
    await transport.send({ to: recipient, subject: 'Ihr Code', text: 'Code: 123456' })
  } catch (error) {
    assert.ok(error instanceof AppError)
    return error
  }
  assert.fail('expected the send to fail')
}

/** An error must never name the person or carry the mail or the password. */
function assertNothingPersonal(error: AppError): void {
  for (const secret of [recipient, 'jo.smith', 'xn--bcher-kva', '123456', password]) {
    assert.ok(!error.message.includes(secret), `the error names ${secret}: ${error.message}`)
  }
}

describe('SMTP transport', () => {
  let certificate: TestCertificate
  before(() => {
    certificate = makeTestCertificate()
  })

  describe('against a server that offers STARTTLS and asks for a login', () => {
    const login = { user: 'custodian@acme.example', password }
    let server: Awaited<ReturnType<typeof startTestSmtpServer>>
    let transport: MailTransport
    before(async () => {
      server = await startTestSmtpServer({ tls: certificate, login })
      const url = `smtp://${encodeURIComponent(login.user)}:${password}@127.0.0.1:${server.port}`
      transport = smtpTransport(url, certificate.cert)
    })
    after(async () => {
      await transport.close()
      await server.close()
    })

    test('delivers over STARTTLS with the login, the headers and the text as sent', async () => {
      const subject = 'Ihr Bestätigungscode – Anfrage für Grüße ✓'
      const text = 'Guten Tag,\n\nIhr Code lautet 123456.\nEr gilt 30 Minuten.\n'
      const sent = await transport.send({
        to: recipient,
        subject,
        text,
        html: '<p>Ihr Code lautet <b>123456</b>.</p>',
        headers: { 'X-Custodian-Request': 'req-1' },
      })
      assert.equal(server.received.length, 1)
      const mail = server.received[0]!
      assert.equal(mail.secure, true, 'the session was upgraded by STARTTLS')
      assert.equal(mail.user, login.user)
      assert.equal(mail.mailFrom, 'privacy@acme.example')
      // The international domain travels as its A-label (smtp-server shows the envelope's
      // in Unicode again), which every mail server takes.
      assert.deepEqual(mail.rcptTo, ['jo.smith@bücher.de'])
      const message = parseMessage(mail.raw)
      assert.equal(message.header('To'), 'jo.smith@xn--bcher-kva.de')
      assert.equal(message.header('From'), 'Acme Privacy <privacy@acme.example>')
      assert.equal(message.header('Subject'), subject)
      assert.equal(message.header('Message-ID'), sent.messageId)
      assert.match(sent.messageId, /^<[^@<>\s]+@acme\.example>$/)
      assert.equal(new Date(message.header('Date') ?? '').toISOString(), '2026-03-01T09:30:00.000Z')
      assert.equal(message.header('Auto-Submitted'), 'auto-generated')
      assert.equal(message.header('X-Custodian-Request'), 'req-1')
      assert.equal(message.header('MIME-Version'), '1.0')
      assert.equal(message.text, text)
      assert.equal(message.html, '<p>Ihr Code lautet <b>123456</b>.</p>')
      // RFC 5322 §2.1.1: no line longer than 998 characters, every line ending in CRLF.
      const lines = mail.raw.toString('latin1').split('\r\n')
      assert.ok(lines.every((line) => line.length <= 998 && !line.includes('\n')))
    })

    test('a recipient refused for good is mail_rejected, without the address', async () => {
      const refusing = await startTestSmtpServer({ tls: certificate, login, refuseRecipients: 550 })
      const url = `smtp://${encodeURIComponent(login.user)}:${password}@127.0.0.1:${refusing.port}`
      const refused = smtpTransport(url, certificate.cert)
      try {
        const error = await sendFailure(refused)
        assert.equal(error.code, 'mail_rejected')
        assert.match(error.message, /refused the sender or the recipient \(EENVELOPE, SMTP 550\)/)
        assertNothingPersonal(error)
        assert.equal(
          error.cause,
          undefined,
          'nodemailer’s error, which quotes the reply, is dropped',
        )
      } finally {
        await refused.close()
        await refusing.close()
      }
    })

    test('a wrong password is mail_unavailable and names neither user nor password', async () => {
      const url = `smtp://someone:wrong-${password}@127.0.0.1:${server.port}`
      const wrong = smtpTransport(url, certificate.cert)
      try {
        const error = await sendFailure(wrong)
        assert.equal(error.code, 'mail_unavailable')
        assert.match(error.message, /refused the user and password/)
        assertNothingPersonal(error)
        assert.ok(!error.message.includes('someone'))
      } finally {
        await wrong.close()
      }
    })

    test('a send after close is refused', async () => {
      const closing = smtpTransport(`smtp://127.0.0.1:${server.port}`, certificate.cert)
      await closing.close()
      const error = await sendFailure(closing)
      assert.equal(error.code, 'mail_unavailable')
      assert.match(error.message, /closed/)
    })
  })

  describe('TLS is required unless the URL says tls=off for this machine', () => {
    test('a server without STARTTLS gets neither the password nor the mail', async () => {
      // The server offers no STARTTLS, as after a downgrade by someone on the path, and
      // would take the login in clear.
      const plain = await startTestSmtpServer({ login: { user: 'user', password } })
      const transport = smtpTransport(`smtp://user:${password}@127.0.0.1:${plain.port}`)
      try {
        const error = await sendFailure(transport)
        assert.equal(error.code, 'mail_unavailable')
        assert.match(error.message, /offers no STARTTLS/)
        assert.match(error.message, /ETLS/)
        assertNothingPersonal(error)
        assert.equal(plain.received.length, 0)
        assert.deepEqual(plain.logins, [])
      } finally {
        await transport.close()
        await plain.close()
      }
    })

    test('a certificate the client does not trust stops the send', async () => {
      const server = await startTestSmtpServer({ tls: certificate })
      // No trusted certificates given: the self-signed one is checked against the system CAs.
      const transport = smtpTransport(`smtp://127.0.0.1:${server.port}`)
      try {
        const error = await sendFailure(transport)
        assert.equal(error.code, 'mail_unavailable')
        assert.match(error.message, /certificate is not trusted/)
        assert.match(error.message, /DEPTH_ZERO_SELF_SIGNED_CERT/)
        assert.equal(server.received.length, 0)
      } finally {
        await transport.close()
        await server.close()
      }
    })

    test('tls=off sends in clear to a server on this machine', async () => {
      const plain = await startTestSmtpServer()
      const transport = smtpTransport(`smtp://127.0.0.1:${plain.port}?tls=off`)
      try {
        await transport.send({ to: 'dev@example.com', subject: 'Dev', text: 'Hello\n' })
        assert.equal(plain.received.length, 1)
        assert.equal(plain.received[0]!.secure, false)
        assert.equal(parseMessage(plain.received[0]!.raw).text, 'Hello\n')
      } finally {
        await transport.close()
        await plain.close()
      }
    })

    test('smtps:// speaks TLS from the first byte', async () => {
      const server = await startTestSmtpServer({ tls: certificate, implicitTls: true })
      const transport = smtpTransport(`smtps://127.0.0.1:${server.port}`, certificate.cert)
      try {
        await transport.send({ to: 'dev@example.com', subject: 'Dev', text: 'Hello' })
        assert.equal(server.received.length, 1)
        assert.equal(server.received[0]!.secure, true)
      } finally {
        await transport.close()
        await server.close()
      }
    })
  })

  test('an unreachable server is mail_unavailable, without the address or the password', async () => {
    // A port that was just free: nothing listens there now.
    const gone = await startTestSmtpServer()
    await gone.close()
    const transport = smtpTransport(`smtps://user:${password}@127.0.0.1:${gone.port}`)
    try {
      const error = await sendFailure(transport)
      assert.equal(error.code, 'mail_unavailable')
      assert.equal(error.status, 503)
      assert.match(error.message, /^Mail was not sent: the mail server could not be reached/)
      assertNothingPersonal(error)
    } finally {
      await transport.close()
    }
  })

  test('a recipient that is not an address is refused before any connection', async () => {
    const server = await startTestSmtpServer()
    const transport = smtpTransport(`smtp://127.0.0.1:${server.port}?tls=off`)
    try {
      for (const to of ['not-an-address', 'a@b.c, d@e.f', 'victim@example.com\r\nBcc: x@y.z']) {
        await assert.rejects(transport.send({ to, subject: 's', text: 't' }), (error) => {
          assert.ok(error instanceof AppError)
          assert.equal(error.code, 'invalid_request')
          assert.ok(!error.message.includes(to))
          return true
        })
      }
      assert.equal(server.received.length, 0)
    } finally {
      await transport.close()
      await server.close()
    }
  })
})
