import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { loadConfig } from '../config.js'
import { AppError } from '../errors.js'
import { captureLogs } from '../testing/log-capture.js'
import { createMailTransport } from './create-mail-transport.js'
import { outboxDirectory } from './outbox-transport.js'
import { readOutbox } from './testing/outbox.js'
import { parseMessage } from './testing/parse-message.js'
import { startTestSmtpServer } from './testing/smtp-server.js'

const root = mkdtempSync(join(tmpdir(), 'custodian-mail-'))
after(() => rmSync(root, { recursive: true, force: true }))

describe('createMailTransport', () => {
  test('without CUSTODIAN_SMTP_URL: the outbox in the data directory, and one warning', async () => {
    const dataDir = mkdtempSync(join(root, 'data-'))
    const config = loadConfig({ env: { DATA_DIR: dataDir } })
    const logs = captureLogs()
    const transport = createMailTransport(config, logs.logger)
    try {
      await transport.send({ to: 'jo@example.com', subject: 'Code', text: 'Code: 123456\n' })
      await transport.send({ to: 'jo@example.com', subject: 'Code', text: 'Code: 654321\n' })
      const messages = await readOutbox(outboxDirectory(dataDir))
      assert.deepEqual(
        messages.map((message) => [message.from, message.to, message.text]),
        [
          ['Custodian <no-reply@localhost>', 'jo@example.com', 'Code: 123456\n'],
          ['Custodian <no-reply@localhost>', 'jo@example.com', 'Code: 654321\n'],
        ],
      )
      await new Promise((resolve) => setImmediate(resolve))
      const warnings = logs.lines().filter((line) => line.level === 'warn')
      assert.equal(warnings.length, 1, 'warned once, at start, not per message')
      assert.match(String(warnings[0]?.msg), /mail is not delivered/)
      assert.equal(warnings[0]?.outbox, join(dataDir, 'outbox'))
    } finally {
      await transport.close()
    }
  })

  test('with CUSTODIAN_SMTP_URL: SMTP from CUSTODIAN_MAIL_FROM, the password in no log', async () => {
    const login = { user: 'relay-login', password: 'hunter2-secret' }
    const server = await startTestSmtpServer({ login })
    const config = loadConfig({
      env: {
        DATA_DIR: mkdtempSync(join(root, 'data-')),
        CUSTODIAN_SMTP_URL: `smtp://${login.user}:${login.password}@127.0.0.1:${server.port}?tls=off`,
        CUSTODIAN_MAIL_FROM: '"Acme Privacy" <privacy@acme.example>',
      },
    })
    const logs = captureLogs()
    const transport = createMailTransport(config, logs.logger)
    try {
      await transport.send({ to: 'jo@example.com', subject: 'Code', text: 'Code: 123456\n' })
      assert.equal(server.received.length, 1)
      assert.equal(server.received[0]!.user, login.user)
      assert.equal(server.received[0]!.mailFrom, 'privacy@acme.example')
      const message = parseMessage(server.received[0]!.raw)
      assert.equal(message.header('From'), 'Acme Privacy <privacy@acme.example>')
      await new Promise((resolve) => setImmediate(resolve))
      const [line] = logs.lines()
      assert.deepEqual(line?.smtp, { host: '127.0.0.1', port: server.port, tls: 'off' })
      assert.ok(!logs.text().includes(login.password))
      assert.ok(!logs.text().includes(login.user))
      assert.equal(
        logs.lines().filter((entry) => entry.level === 'warn').length,
        0,
        'no outbox warning',
      )
    } finally {
      await transport.close()
      await server.close()
    }
  })

  test('a configuration built by hand is checked too, without echoing the URL', () => {
    const logs = captureLogs()
    assert.throws(
      () =>
        createMailTransport(
          {
            dataDir: root,
            mailFrom: 'Custodian <no-reply@localhost>',
            smtpUrl: 'smtp://user:hunter2@mail.example.com?tls=off',
          },
          logs.logger,
        ),
      (error) => {
        assert.ok(error instanceof AppError)
        assert.equal(error.code, 'internal')
        assert.match(error.message, /only for a mail server on this machine/)
        assert.ok(!error.message.includes('hunter2'))
        return true
      },
    )
  })
})
