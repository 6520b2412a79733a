import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import type { Storage } from '../storage/index.js'
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
      const snapshot = async () => ({
        workspaceKeys: await storage.db.selectFrom('workspace_keys').selectAll().execute(),
        indexKeys: await storage.db.selectFrom('blind_index_keys').selectAll().execute(),
        keyCheck: await storage.db.selectFrom('key_check').selectAll().execute(),
      })
      const before = await snapshot()

      await assert.rejects(
        changeMasterKey(storage.db, providerOf('wrong'), providerOf('two')),
        refusedWith('master_key_mismatch'),
      )
      await assert.rejects(
        changeMasterKey(storage.db, providerOf('one'), providerOf('one')),
        refusedWith('invalid_request'),
      )
      assert.deepEqual(await snapshot(), before)
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
        // A workspace another process made: the stale process has none of its keys cached.
        const { keyring: other } = await openTestKeyring(storage, {
          masterKey: testMasterKey('one'),
        })
        const elsewhere = await other.seal(cellOf('ws-3', 'subject-d'), 'made elsewhere')
        await other.close()
        await changeMasterKey(storage.db, providerOf('one'), providerOf('two'))
        // Reading a key it has not cached says why it fails: the master key changed.
        await assert.rejects(
          stale.openText(cellOf('ws-3', 'subject-d'), elsewhere),
          (error: unknown) =>
            refusedWith('master_key_mismatch')(error) &&
            /restart it with the new key/.test((error as Error).message),
        )
        await assert.rejects(
          stale.seal(cellOf('ws-new', 'subject-c'), 'new data'),
          refusedWith('master_key_mismatch'),
        )
        await assert.rejects(
          stale.blindIndex('ws-other', 'email', 'x@example.com'),
          refusedWith('master_key_mismatch'),
        )
        const workspaceKeys = await storage.db
          .selectFrom('workspace_keys')
          .select('workspace_id')
          .where('workspace_id', '=', 'ws-new')
          .execute()
        const indexKeys = await storage.db
          .selectFrom('blind_index_keys')
          .select('workspace_id')
          .where('workspace_id', '=', 'ws-other')
          .execute()
        assert.deepEqual([workspaceKeys, indexKeys], [[], []])
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

  test('a master-key change in the middle of a rotation leaves every value readable', async () => {
    await withStore(async (storage) => {
      const { keyring } = await openTestKeyring(storage, { masterKey: testMasterKey('one') })
      const cells = Array.from({ length: 60 }, (_, index) =>
        cellOf('ws-1', `subject-${String(index)}`),
      )
      const sealers = await keyring.sealersFor(
        'ws-1',
        cells.map((cell) => cell.subjectId),
      )
      const sealed = cells.map((cell) => sealers.get(cell.subjectId)?.seal(cell, cell.subjectId))
      // The change lands in the middle of the rotation, between two of its batches.
      let change: Promise<unknown> | undefined
      const rotation = await keyring
        .rotate({
          workspaceId: 'ws-1',
          batchSize: 7,
          onProgress: (progress) => {
            if (progress.phase === 'rewrap' && progress.done > 0) {
              change ??= changeMasterKey(storage.db, providerOf('one'), providerOf('two'))
            }
          },
        })
        .then(
          (done) => ({ done }),
          (error: unknown) => ({ error }),
        )
      assert.ok(change !== undefined, 'the rotation never reached its second batch')
      await change
      // It finished with the keys it holds, or stopped at a key check, changing nothing.
      if ('error' in rotation) {
        assert.ok(refusedWith('master_key_mismatch')(rotation.error), String(rotation.error))
      }
      await keyring.close()

      const { keyring: moved } = await openTestKeyring(storage, { masterKey: testMasterKey('two') })
      try {
        const read = async () =>
          Promise.all(
            cells.map((cell, index) => moved.openText(cell, sealed[index] ?? Buffer.alloc(0))),
          )
        assert.deepEqual(
          await read(),
          cells.map((cell) => cell.subjectId),
        )
        // A rotation under the new key finishes whatever the interrupted one left.
        await moved.rotate({ workspaceId: 'ws-1' })
        assert.deepEqual(
          await read(),
          cells.map((cell) => cell.subjectId),
        )
      } finally {
        await moved.close()
      }
    })
  })
})
