import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ManualClock } from '../clock.js'
import { openKeyring } from '../crypto/index.js'
import { openTestKeyring, testMasterKey } from '../crypto/testing/keyring.js'
import { captureLogs } from '../testing/log-capture.js'
import { migrateToLatest } from '../storage/index.js'
import { openSqlite } from '../storage/index.js'

const dataDir = mkdtempSync(join(tmpdir(), 'custodian-keys-cli-'))
after(() => rmSync(dataDir, { recursive: true, force: true }))

/** The real command in a child process, as an administrator runs it. */
function custodian(args: string[], masterKey = testMasterKey()) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CUSTODIAN_MASTER_KEY: masterKey, DATABASE_URL: '', LOG_LEVEL: 'warn' },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('custodian keys rotate', () => {
  test('a store without keys has nothing to rotate and gets none', async () => {
    const empty = join(dataDir, 'empty')
    const storage = openSqlite(empty)
    await migrateToLatest(storage)
    await storage.close()
    const run = custodian(['keys', 'rotate', '--data', empty, '--json'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), { workspaces: [] })
    assert.throws(() => statSync(join(empty, 'master.key')), /ENOENT/)
  })

  test('rotates every workspace, reports it as JSON, and every value still opens', async () => {
    const storage = openSqlite(dataDir)
    await migrateToLatest(storage)
    const { keyring } = await openTestKeyring(storage)
    const cell = {
      workspaceId: 'ws_cli',
      subjectId: 's_1',
      table: 'contacts',
      column: 'email',
      rowId: 's_1',
    }
    const sealed = await keyring.seal(cell, 'ada@example.com')
    await keyring.close()
    await storage.close()

    const run = custodian(['keys', 'rotate', '--data', dataDir, '--workspace', 'ws_cli', '--json'])
    assert.equal(run.status, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), {
      workspaces: [
        { workspaceId: 'ws_cli', fromVersion: 1, toVersion: 2, rewrapped: 1, retired: [1] },
      ],
    })
    const human = custodian(['keys', 'rotate', '--data', dataDir, '--reseal'])
    assert.equal(human.status, 0, human.stderr)
    assert.match(
      human.stdout,
      /ws_cli: key v2 → v3, 1 subject keys re-wrapped, retired v2; re-sealed 0 values/,
    )

    const reopened = openSqlite(dataDir)
    const again = await openTestKeyring(reopened)
    assert.equal(await again.keyring.openText(cell, sealed), 'ada@example.com')
    await again.keyring.close()
    await reopened.close()
  })

  test('a wrong master key exits 1 with the reason and rotates nothing', () => {
    const run = custodian(['keys', 'rotate', '--data', dataDir, '--json'], testMasterKey('wrong'))
    assert.equal(run.status, 1)
    assert.match(run.stderr, /master key is not the key this database was set up with/)
    assert.equal(run.stdout, '')
  })
})

describe('custodian keys rotate --new-master-key-file', () => {
  const cell = {
    workspaceId: 'ws_m',
    subjectId: 's_1',
    table: 'contacts',
    column: 'email',
    rowId: 's_1',
  }

  /** A new master key in a private file, as `openssl rand -base64 32 > F` makes one. */
  function newKeyFile(name: string): { path: string; key: string } {
    const key = randomBytes(32).toString('base64')
    const path = join(dataDir, name)
    writeFileSync(path, `${key}\n`, { mode: 0o600 })
    return { path, key }
  }

  /** A keyring that finds its master key as `serve` would, with no key configured. */
  async function openEmbedded(dir: string) {
    const storage = openSqlite(dir)
    await migrateToLatest(storage)
    const keyring = await openKeyring({
      storage,
      config: { dataDir: dir },
      logger: captureLogs().logger,
      clock: new ManualClock(),
    })
    return { storage, keyring }
  }

  test('on the embedded default, master.key is replaced and every value still opens', async () => {
    const dir = join(dataDir, 'embedded')
    const made = await openEmbedded(dir)
    const sealed = await made.keyring.seal(cell, 'ada@example.com')
    await made.keyring.close()
    await made.storage.close()
    const next = newKeyFile('embedded-next.key')

    const run = custodian(
      ['keys', 'rotate', '--data', dir, '--new-master-key-file', next.path, '--json'],
      '',
    )
    assert.equal(run.status, 0, run.stderr)
    const keyFile = join(dir, 'master.key')
    assert.deepEqual(JSON.parse(run.stdout), {
      masterKey: { workspaceKeys: 1, blindIndexKeys: 0, keyFile },
    })
    assert.equal(readFileSync(keyFile, 'utf8').trim(), next.key)
    assert.equal(statSync(keyFile).mode & 0o777, 0o600)

    const reopened = await openEmbedded(dir)
    assert.equal(await reopened.keyring.openText(cell, sealed), 'ada@example.com')
    await reopened.keyring.close()
    await reopened.storage.close()
  })

  test('with a configured key, the old key is refused afterwards and the new one opens', async () => {
    const dir = join(dataDir, 'configured')
    const storage = openSqlite(dir)
    await migrateToLatest(storage)
    const { keyring } = await openTestKeyring(storage, { masterKey: testMasterKey('old') })
    const sealed = await keyring.seal(cell, 'ada@example.com')
    await keyring.close()
    await storage.close()
    const next = newKeyFile('configured-next.key')

    const change = custodian(
      ['keys', 'rotate', '--data', dir, '--new-master-key-file', next.path],
      testMasterKey('old'),
    )
    assert.equal(change.status, 0, change.stderr)
    assert.match(change.stdout, /Re-wrapped 1 workspace keys and 0 blind-index keys/)
    assert.match(change.stdout, /Point CUSTODIAN_MASTER_KEY_FILE/)

    const old = custodian(['keys', 'rotate', '--data', dir, '--json'], testMasterKey('old'))
    assert.equal(old.status, 1)
    assert.match(old.stderr, /master key is not the key this database was set up with/)
    const reopened = openSqlite(dir)
    const again = await openTestKeyring(reopened, { masterKey: next.key })
    assert.equal(await again.keyring.openText(cell, sealed), 'ada@example.com')
    await again.keyring.close()
    await reopened.close()
  })

  test('it refuses --workspace and --reseal, which do not apply to the master key', () => {
    const next = newKeyFile('refused-next.key')
    const run = custodian([
      'keys',
      'rotate',
      '--data',
      dataDir,
      '--workspace',
      'ws_cli',
      '--new-master-key-file',
      next.path,
    ])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /without --workspace and --reseal/)
  })
})
