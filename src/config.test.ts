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
