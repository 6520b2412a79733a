import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ManualClock } from '../clock.js'
import { isAppError } from '../errors.js'
import type { Storage } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { captureLogs } from '../testing/log-capture.js'
import type { KeyProvider } from './key-provider.js'
import { openKeyring } from './keyring.js'
import { createLocalKeyProvider } from './local-key-provider.js'
import { openTestKeyring, testMasterKey } from './testing/keyring.js'

/** Everything a failed open could have touched: the key tables' rows, and on SQLite the file bytes. */
async function snapshot(storage: Storage): Promise<string> {
  const db = storage.db
  const tables = {
    key_check: await db.selectFrom('key_check').selectAll().execute(),
    workspace_keys: await db
      .selectFrom('workspace_keys')
      .selectAll()
      .orderBy('workspace_id')
      .orderBy('version')
      .execute(),
    subject_keys: await db
      .selectFrom('subject_keys')
      .selectAll()
      .orderBy('subject_id')
      .orderBy('version')
      .execute(),
    blind_index_keys: await db
      .selectFrom('blind_index_keys')
      .selectAll()
      .orderBy('workspace_id')
      .execute(),
  }
  const files =
    storage.dialect === 'sqlite'
      ? [storage.location, `${storage.location}-wal`]
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file).toString('base64'))
      : []
  return JSON.stringify({ tables, files })
}

describeEachDialect('key check', (context) => {
  test('a wrong master key stops opening, says so, and changes nothing', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const cell = {
      workspaceId: 'ws_k',
      subjectId: 's_1',
      table: 'contacts',
      column: 'email',
      rowId: 's_1',
    }
    const sealed = await keyring.seal(cell, 'ada@example.com')
    await keyring.blindIndex('ws_k', 'email', 'ada@example.com')
    await keyring.close()

    const before = await snapshot(storage)
    assert.ok(before.includes('s_1'), 'the snapshot holds the stored keys')
    await assert.rejects(
      openTestKeyring(storage, { masterKey: testMasterKey('wrong') }),
      (error: unknown) => {
        assert.ok(isAppError(error))
        assert.equal(error.code, 'master_key_mismatch')
        assert.match(error.message, /CUSTODIAN_MASTER_KEY/)
        assert.ok(!error.message.includes(testMasterKey('wrong')))
        return true
      },
    )
    assert.equal(await snapshot(storage), before)

    const right = await openTestKeyring(storage)
    assert.equal(await right.keyring.openText(cell, sealed), 'ada@example.com')
    await right.keyring.close()
  })

  test('a database set up under one key provider refuses another kind', async () => {
    const storage = context.storage()
    await (await openTestKeyring(storage)).keyring.close()
    const local = createLocalKeyProvider(Buffer.from(testMasterKey(), 'base64'))
    const other: KeyProvider = {
      kind: 'other-kms',
      wrapKey: (key, wrapContext) => local.wrapKey(key, wrapContext),
      unwrapKey: (wrapped, wrapContext) => local.unwrapKey(wrapped, wrapContext),
    }
    await assert.rejects(
      openKeyring({
        storage,
        config: { dataDir: '/nonexistent' },
        logger: captureLogs().logger,
        clock: new ManualClock(),
        provider: other,
      }),
      (error: unknown) =>
        isAppError(error) &&
        error.code === 'master_key_mismatch' &&
        /"local" key provider/.test(error.message),
    )
  })
})
