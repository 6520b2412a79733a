import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ManualClock } from '../clock.js'
import { ConfigError, loadConfig } from '../config.js'
import { isAppError } from '../errors.js'
import { migrateToLatest } from '../storage/index.js'
import { openSqlite } from '../storage/index.js'
import { captureLogs } from '../testing/log-capture.js'
import { openKeyring } from './keyring.js'
import { masterKeyFileName, resolveMasterKey } from './master-key.js'
import { testMasterKey } from './testing/keyring.js'

const scratch = mkdtempSync(join(tmpdir(), 'custodian-master-key-'))
after(() => rmSync(scratch, { recursive: true, force: true }))
let dirs = 0
const freshDir = () => join(scratch, `d${(dirs += 1)}`)

function resolve(env: NodeJS.ProcessEnv, databaseHasKeys = false) {
  const logs = captureLogs()
  const config = loadConfig({ env: { DATA_DIR: freshDir(), ...env } })
  return {
    key: () => resolveMasterKey({ config, logger: logs.logger, databaseHasKeys }),
    logs,
    config,
  }
}

describe('master key', () => {
  test('CUSTODIAN_MASTER_KEY is read as base64 of 32 bytes', () => {
    const key = resolve({ CUSTODIAN_MASTER_KEY: testMasterKey() }).key()
    assert.deepEqual(key, Buffer.from(testMasterKey(), 'base64'))
  })

  test('a malformed key is refused without echoing it', () => {
    for (const bad of [
      'c2hvcnQ=',
      `${testMasterKey()}AAAA`,
      'not base64 at all, not at all, not at all!!',
    ]) {
      assert.throws(
        () => resolve({ CUSTODIAN_MASTER_KEY: bad }).key(),
        (error: unknown) =>
          error instanceof ConfigError &&
          /32 bytes in base64/.test(error.message) &&
          !error.message.includes(bad),
      )
    }
  })

  test('a key file may hold base64 text or 32 raw bytes', () => {
    const textFile = join(scratch, 'text.key')
    writeFileSync(textFile, `${testMasterKey()}\n`, { mode: 0o600 })
    assert.deepEqual(
      resolve({ CUSTODIAN_MASTER_KEY_FILE: textFile }).key(),
      Buffer.from(testMasterKey(), 'base64'),
    )
    const rawFile = join(scratch, 'raw.key')
    writeFileSync(rawFile, Buffer.from(testMasterKey('raw'), 'base64'), { mode: 0o600 })
    assert.deepEqual(
      resolve({ CUSTODIAN_MASTER_KEY_FILE: rawFile }).key(),
      Buffer.from(testMasterKey('raw'), 'base64'),
    )
  })

  test('a key file others can read is used, with a warning', () => {
    const file = join(scratch, 'shared.key')
    writeFileSync(file, testMasterKey(), { mode: 0o644 })
    const { key, logs } = resolve({ CUSTODIAN_MASTER_KEY_FILE: file })
    key()
    assert.match(logs.text(), /can be read by other users/)
  })

  test('a missing key file is an error naming the setting', () => {
    assert.throws(
      () => resolve({ CUSTODIAN_MASTER_KEY_FILE: join(scratch, 'absent.key') }).key(),
      (error: unknown) =>
        error instanceof ConfigError &&
        /CUSTODIAN_MASTER_KEY_FILE.*does not exist/.test(error.message),
    )
  })

  test('PostgreSQL without a configured key is refused: nodes must share one key', () => {
    const { key, config } = resolve({ DATABASE_URL: 'postgres://custodian@db/custodian' })
    assert.throws(key, (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /CUSTODIAN_MASTER_KEY.*must be set when DATABASE_URL is set/)
      return true
    })
    assert.throws(() => statSync(join(config.dataDir, masterKeyFileName)), /ENOENT/)
  })

  test('the embedded store makes master.key with mode 0600 once, and warns', () => {
    const { key, logs, config } = resolve({})
    const made = key()
    const path = join(config.dataDir, masterKeyFileName)
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(made.length, 32)
    assert.equal(readFileSync(path, 'utf8').trim(), made.toString('base64'))
    assert.match(logs.text(), /in production keep the master key elsewhere/)
    const again = resolveMasterKey({ config, logger: logs.logger, databaseHasKeys: true })
    assert.deepEqual(again, made)
  })

  test('no key is made when the database already holds keys: that would orphan them', () => {
    const { key, config } = resolve({}, true)
    assert.throws(
      key,
      (error: unknown) => isAppError(error) && error.code === 'master_key_mismatch',
    )
    assert.throws(() => statSync(join(config.dataDir, masterKeyFileName)), /ENOENT/)
  })

  test('a first embedded start makes the key; later starts use it; losing it stops start-up', async () => {
    const dataDir = freshDir()
    const config = loadConfig({ env: { DATA_DIR: dataDir } })
    const storage = openSqlite(dataDir)
    await migrateToLatest(storage)
    const logs = captureLogs()
    const options = { storage, config, logger: logs.logger, clock: new ManualClock() }
    const first = await openKeyring(options)
    const cell = {
      workspaceId: 'w',
      subjectId: 's',
      table: 'contacts',
      column: 'email',
      rowId: 's',
    }
    const sealed = await first.seal(cell, 'ada@example.com')
    await first.close()
    assert.equal(statSync(join(dataDir, masterKeyFileName)).mode & 0o777, 0o600)
    const second = await openKeyring(options)
    assert.equal(await second.openText(cell, sealed), 'ada@example.com')
    await second.close()
    unlinkSync(join(dataDir, masterKeyFileName))
    await assert.rejects(openKeyring(options), (error: unknown) => {
      assert.ok(isAppError(error))
      assert.match(error.message, /master key file .* is missing: restore it from its backup/)
      return true
    })
    await storage.close()
  })
})
