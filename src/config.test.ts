import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from './config.js'

function failure(env: NodeJS.ProcessEnv, flags = {}): ConfigError {
  try {
    loadConfig({ env, flags })
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error
  }
  assert.fail('expected the configuration to be refused')
}

test('defaults give the embedded store in ./data on port 8080, EU region', () => {
  const config = loadConfig({ env: {}, cwd: '/srv/custodian' })
  assert.equal(config.port, 8080)
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.dataDir, '/srv/custodian/data')
  assert.equal(config.databaseUrl, undefined)
  assert.equal(config.region, 'eu')
  assert.equal(config.logLevel, 'info')
  assert.equal(config.bodyLimitBytes, 1024 * 1024)
  assert.ok(Object.isFrozen(config))
})

test('flags win over the environment, which wins over defaults', () => {
  const config = loadConfig({ env: { PORT: '9000', LOG_LEVEL: 'debug' }, flags: { port: '0' } })
  assert.equal(config.port, 0)
  assert.equal(config.logLevel, 'debug')
})

test('a bad port names the setting', () => {
  const error = failure({ PORT: 'eighty' })
  assert.equal(error.setting, 'PORT (--port)')
  assert.match(error.message, /PORT \(--port\) must be a whole number/)
  assert.match(failure({ PORT: '70000' }).message, /PORT \(--port\) must be a port number/)
})

test('a bad log level, region or body limit names the setting', () => {
  assert.match(failure({ LOG_LEVEL: 'loud' }).message, /LOG_LEVEL .*must be one of fatal/)
  assert.match(failure({ CUSTODIAN_REGION: 'Europe!' }).message, /CUSTODIAN_REGION/)
  assert.match(failure({ CUSTODIAN_BODY_LIMIT_BYTES: '10' }).message, /CUSTODIAN_BODY_LIMIT_BYTES/)
})

test('a bad database URL is named but its password never echoed', () => {
  const error = failure({ DATABASE_URL: 'mysql://root:hunter2@db/custodian' })
  assert.match(error.message, /DATABASE_URL .*postgres/)
  assert.ok(!error.message.includes('hunter2'))
})

test('both master key settings at once are refused', () => {
  const error = failure({ CUSTODIAN_MASTER_KEY: 'a'.repeat(44), CUSTODIAN_MASTER_KEY_FILE: '/k' })
  assert.match(error.message, /both set/)
  assert.ok(!error.message.includes('a'.repeat(44)))
})

test('mail: the outbox unless CUSTODIAN_SMTP_URL is set, from Custodian at localhost', () => {
  const config = loadConfig({ env: {} })
  assert.equal(config.smtpUrl, undefined)
  assert.equal(config.mailFrom, 'Custodian <no-reply@localhost>')
  const smtp = loadConfig({
    env: {
      CUSTODIAN_SMTP_URL: 'smtps://apikey:hunter2@smtp.example.com',
      CUSTODIAN_MAIL_FROM: 'Acme Privacy <privacy@acme.example>',
    },
  })
  assert.equal(smtp.smtpUrl, 'smtps://apikey:hunter2@smtp.example.com')
  assert.equal(smtp.mailFrom, 'Acme Privacy <privacy@acme.example>')
})

test('a bad SMTP URL is named but never echoed, its password included', () => {
  for (const [url, reason] of [
    ['mailto://apikey:hunter2@smtp.example.com', /smtp:\/\/ \(STARTTLS\) or smtps:\/\/ \(TLS\)/],
    ['smtp://apikey:hunter2@smtp.example.com/inbox', /smtp:\/\/ \(STARTTLS\) or smtps:\/\//],
    ['smtp://apikey:hunter2@smtp.example.com?tls=off', /only for a mail server on this machine/],
    ['smtp://apikey:hunter2@smtp.example.com?secure=false', /other than tls=off/],
    ['smtp://apikey@smtp.example.com', /both a user and a password/],
  ] as const) {
    const error = failure({ CUSTODIAN_SMTP_URL: url })
    assert.equal(error.setting.startsWith('CUSTODIAN_SMTP_URL'), true)
    assert.match(error.message, reason)
    assert.ok(!error.message.includes('hunter2') && !error.message.includes('apikey'))
  }
})

test('a bad sender is named; a localhost sender cannot go through a remote server', () => {
  const bad = failure({ CUSTODIAN_MAIL_FROM: 'a@example.com, b@example.com' })
  assert.equal(bad.setting, 'CUSTODIAN_MAIL_FROM')
  assert.match(bad.message, /must be one address/)
  const remote = failure({ CUSTODIAN_SMTP_URL: 'smtps://apikey:hunter2@smtp.example.com' })
  assert.equal(remote.setting, 'CUSTODIAN_MAIL_FROM')
  assert.match(remote.message, /address of your own domain/)
  assert.ok(!remote.message.includes('hunter2'))
  // A mail catcher on this machine takes the default sender.
  const local = loadConfig({ env: { CUSTODIAN_SMTP_URL: 'smtp://localhost:1025?tls=off' } })
  assert.equal(local.mailFrom, 'Custodian <no-reply@localhost>')
})
