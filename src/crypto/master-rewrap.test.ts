import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import type { Storage } from '../storage/database.js'
import { describeEachDialect, openTestStorage } from '../storage/testing/dialects.js'
import type { KeyProvider } from './key-provider.js'
import type { Keyring } from './keyring.js'
import { createLocalKeyProvider } from './local-key-provider.js'
import { changeMasterKey } from './master-rewrap.js'
import { openTestKeyring, testMasterKey } from './testing/keyring.js'

const providerOf = (seed: string): KeyProvider =>
  createLocalKeyProvider(Buffer.from(testMasterKey(seed), 'base64'))

const cellOf = (workspaceId: string, subjectId: string) => ({
  workspaceId,
  subjectId,
  table: 'contacts',
  column: 'profile',
  rowId: subjectId,
})

const refusedWith = (code: string) => (error: unknown) => isAppError(error) && error.code === code

describeEachDialect('changing the master key', (context) => {
  async function withStore(run: (storage: Storage) => Promise<void>): Promise<void> {
    const { storage, cleanup } = await openTestStorage(context.dialect)
    try {
      await run(storage)
    } finally {
      await cleanup()
    }
  }

  /** Values in two workspaces and a blind index, made under master key `one`. */
  async function seed(keyring: Keyring) {
    const sealed = {
      a: await keyring.seal(cellOf('ws-1', 'subject-a'), 'ada@example.com'),
      b: await keyring.seal(cellOf('ws-2', 'subject-b'), 'Grace Hopper'),
    }
    const index = await keyring.blindIndex('ws-1', 'email', 'ada@example.com')
    return { sealed, index }
  }

  test('every value opens under the new key, indexes stay, and the old key is refused', async () => {
    await withStore(async (storage) => {
      const { keyring } = await openTestKeyring(storage, { masterKey: testMasterKey('one') })
      const { sealed, index } = await seed(keyring)
      // A second workspace key version, so every version held is re-wrapped, not only the active.
      await keyring.rotate({ workspaceId: 'ws-1' })
      await keyring.close()

      const change = await changeMasterKey(storage.db, providerOf('one'), providerOf('two'))
      const versions = await storage.db
        .selectFrom('workspace_keys')
        .select('version')
        .where('wrapped_key', 'is not', null)
        .execute()
      assert.deepEqual(change, { workspaceKeys: versions.length, blindIndexKeys: 1 })

      const { keyring: moved } = await openTestKeyring(storage, { masterKey: testMasterKey('two') })
      try {
        assert.equal(await moved.openText(cellOf('ws-1', 'subject-a'), sealed.a), 'ada@example.com')
        assert.equal(await moved.openText(cellOf('ws-2', 'subject-b'), sealed.b), 'Grace Hopper')
        assert.deepEqual(await moved.blindIndex('ws-1', 'email', 'ADA@example.com'), index)
      } finally {
        await moved.close()
      }
      await assert.rejects(
        openTestKeyring(storage, { masterKey: testMasterKey('one') }),
        refusedWith('master_key_mismatch'),
      )
    })
  })

  test('a wrong current key, or the key already in use, changes nothing', async () => {
    await withStore(async (storage) => {
      const { keyring } = await openTestKeyring(storage, { masterKey: testMasterKey('one') })
      const { sealed } = await seed(keyring)
      await keyring.close()
      const before = await storage.db.selectFrom('workspace_keys').selectAll().execute()

      await assert.rejects(
        changeMasterKey(storage.db, providerOf('wrong'), providerOf('two')),
        refusedWith('master_key_mismatch'),
      )
      await assert.rejects(
        changeMasterKey(storage.db, providerOf('one'), providerOf('one')),
        refusedWith('invalid_request'),
      )
      assert.deepEqual(await storage.db.selectFrom('workspace_keys').selectAll().execute(), before)
      const { keyring: same } = await openTestKeyring(storage, { masterKey: testMasterKey('one') })
      try {
        assert.equal(await same.openText(cellOf('ws-1', 'subject-a'), sealed.a), 'ada@example.com')
      } finally {
        await same.close()
      }
    })
  })

  test('a process still on the old key makes no new key under it after the change', async () => {
    await withStore(async (storage) => {
      const { keyring: stale } = await openTestKeyring(storage, { masterKey: testMasterKey('one') })
      try {
        await seed(stale)
        await changeMasterKey(storage.db, providerOf('one'), providerOf('two'))
        await assert.rejects(
          stale.seal(cellOf('ws-new', 'subject-c'), 'new data'),
          refusedWith('master_key_mismatch'),
        )
        await assert.rejects(
          stale.blindIndex('ws-other', 'email', 'x@example.com'),
          refusedWith('master_key_mismatch'),
        )
        const made = await storage.db
          .selectFrom('workspace_keys')
          .select('workspace_id')
          .where('workspace_id', 'in', ['ws-new', 'ws-other'])
          .execute()
        assert.deepEqual(made, [])
      } finally {
        await stale.close()
      }
      const { keyring: fresh } = await openTestKeyring(storage, { masterKey: testMasterKey('two') })
      try {
        const sealed = await fresh.seal(cellOf('ws-new', 'subject-c'), 'new data')
        assert.equal(await fresh.openText(cellOf('ws-new', 'subject-c'), sealed), 'new data')
      } finally {
        await fresh.close()
      }
    })
  })
})
