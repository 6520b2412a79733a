import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { openTestKeyring, testMasterKey } from '../crypto/testing/keyring.js'
import { migrateToLatest } from '../storage/migrate.js'
import { openSqlite } from '../storage/sqlite.js'

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
