import assert from 'node:assert/strict'
import { test } from 'node:test'
import { scrubText } from './logger.js'
import { captureLogs } from './testing/log-capture.js'

test('Authorization and Cookie headers are redacted', () => {
  const logs = captureLogs()
  logs.logger.info(
    {
      req: {
        headers: { authorization: 'Bearer sk_live_abc123', cookie: 'sid=s3cr3t', accept: 'json' },
      },
    },
    'incoming',
  )
  const line = logs.lines()[0] as { req: { headers: Record<string, string> } }
  assert.equal(line.req.headers.authorization, '[redacted]')
  assert.equal(line.req.headers.cookie, '[redacted]')
  assert.equal(line.req.headers.accept, 'json')
  assert.ok(!logs.text().includes('sk_live_abc123'))
})

test('known personal fields are redacted wherever they sit one level down', () => {
  const logs = captureLogs()
  logs.logger.info({ contact: { email: 'erin@example.com', name: 'Erin Example', plan: 'pro' } })
  const line = logs.lines()[0] as { contact: Record<string, string> }
  assert.deepEqual(line.contact, { email: '[redacted]', name: '[redacted]', plan: 'pro' })
})

test("the configuration's secret settings are redacted if a config is ever logged", () => {
  const logs = captureLogs()
  logs.logger.info({
    config: {
      smtpUrl: 'smtp://relay:hunter2@127.0.0.1:1025?tls=off',
      databaseUrl: 'postgres://app:s3cr3t@127.0.0.1/custodian',
      masterKey: 'a'.repeat(44),
      port: 8080,
    },
  })
  const line = logs.lines()[0] as { config: Record<string, unknown> }
  assert.deepEqual(line.config, {
    smtpUrl: '[redacted]',
    databaseUrl: '[redacted]',
    masterKey: '[redacted]',
    port: 8080,
  })
  for (const secret of ['hunter2', 's3cr3t', 'a'.repeat(44)])
    assert.ok(!logs.text().includes(secret))
})

test('emails and IPs in free text are scrubbed, in messages and nested values', () => {
  const logs = captureLogs()
  logs.logger.warn(
    { detail: { note: 'from frank@example.org at 192.0.2.44' } },
    'mail to grace@example.net from 2001:db8::1',
  )
  const text = logs.text()
  for (const secret of ['frank@example.org', '192.0.2.44', 'grace@example.net', '2001:db8::1']) {
    assert.ok(!text.includes(secret), secret)
  }
  assert.match(text, /\[email\]/)
  assert.match(text, /\[ip\]/)
})

test('international email addresses are scrubbed too, whatever the script of their TLD', () => {
  for (const address of ['почта@пример.рф', '山田@例え.テスト', 'user@xn--e1afmkfd.xn--p1ai']) {
    assert.equal(scrubText(`mail to ${address} failed`), 'mail to [email] failed', address)
  }
})

test('errors are logged with a scrubbed message', () => {
  const logs = captureLogs()
  logs.logger.error({ err: new Error('duplicate key heidi@example.com') }, 'failed')
  assert.ok(!logs.text().includes('heidi@example.com'))
  assert.match(logs.text(), /duplicate key \[email\]/)
})

test('the machine’s own loopback and wildcard addresses stay readable', () => {
  assert.equal(
    scrubText('listening on http://127.0.0.1:8080'),
    'listening on http://127.0.0.1:8080',
  )
  assert.equal(scrubText('peer 10.1.2.3'), 'peer [ip]')
})
