import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import { ManualClock } from '../clock.js'
import { newId } from '../ids.js'
import type { Storage } from '../storage/index.js'
import { describeEachDialect, openSecondHandle } from '../storage/testing/dialects.js'
import type { CellRef } from './envelope.js'
import type { Keyring } from './keyring.js'
import { selectShredEpoch } from './subject-keys.js'
import { openTestKeyring, type TestKeyringOptions, testMasterKey } from './testing/keyring.js'

function cellOf(workspaceId: string, subjectId: string, column = 'email'): CellRef {
  return { workspaceId, subjectId, table: 'contacts', column, rowId: subjectId }
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`)
    assert.equal(error.code, code)
    return true
  })
}

describeEachDialect('keyring', (context) => {
  test('a value sealed through the keyring opens again, as text, bytes and JSON', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const cell = cellOf('ws_a', 'c_1')
    const sealed = await keyring.seal(cell, 'ada@example.com')
    assert.equal(await keyring.openText(cell, sealed), 'ada@example.com')
    assert.deepEqual(await keyring.open(cell, sealed), Buffer.from('ada@example.com'))
    const profile = { name: 'Ada Lovelace', tags: ['vip'], visits: 3, consent: null }
    const sealedProfile = await keyring.sealJson({ ...cell, column: 'profile' }, profile)
    assert.deepEqual(await keyring.openJson({ ...cell, column: 'profile' }, sealedProfile), profile)
    await keyring.close()
  })

  test('a second keyring on the same database opens what the first sealed', async () => {
    const first = await openTestKeyring(context.storage())
    const cell = cellOf('ws_a', 'c_2')
    const sealed = await first.keyring.seal(cell, 'grace@example.com')
    await first.keyring.close()
    const second = await openTestKeyring(context.storage())
    assert.equal(await second.keyring.openText(cell, sealed), 'grace@example.com')
    await second.keyring.close()
  })

  test('one altered byte, or a value moved to another row, column or workspace, fails', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const cell = cellOf('ws_a', 'c_3')
    const sealed = await keyring.seal(cell, 'alan@example.com')
    const tampered = Buffer.from(sealed)
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] ?? 0) ^ 0x80
    await rejectsWith(keyring.open(cell, tampered), 'sealed_value_invalid')
    await keyring.seal(cellOf('ws_a', 'c_4'), 'x')
    await keyring.seal(cellOf('ws_b', 'c_3'), 'x')
    await rejectsWith(keyring.open({ ...cell, rowId: 'c_4' }, sealed), 'sealed_value_invalid')
    await rejectsWith(keyring.open({ ...cell, column: 'name' }, sealed), 'sealed_value_invalid')
    await rejectsWith(
      keyring.open({ ...cell, subjectId: 'c_4', rowId: 'c_4' }, sealed),
      'sealed_value_invalid',
    )
    await rejectsWith(
      keyring.open({ ...cell, workspaceId: 'ws_b' }, sealed),
      'sealed_value_invalid',
    )
    await keyring.close()
  })

  test('a shredded subject no longer opens, in this keyring or a fresh one; others still do', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const erasedCell = cellOf('ws_a', 'c_erase')
    const keptCell = cellOf('ws_a', 'c_keep')
    const erasedValue = await keyring.seal(erasedCell, 'erase-me@example.com')
    const keptValue = await keyring.seal(keptCell, 'keep-me@example.com')
    assert.equal(await keyring.openText(erasedCell, erasedValue), 'erase-me@example.com')
    const result = await keyring.shredSubject('ws_a', 'c_erase')
    assert.equal(result.keysDestroyed, 1)
    await rejectsWith(keyring.open(erasedCell, erasedValue), 'subject_erased')
    const fresh = await openTestKeyring(context.storage())
    await rejectsWith(fresh.keyring.open(erasedCell, erasedValue), 'subject_erased')
    assert.equal(await fresh.keyring.openText(keptCell, keptValue), 'keep-me@example.com')
    const left = await context
      .storage()
      .db.selectFrom('subject_keys')
      .select('subject_id')
      .where('subject_id', '=', 'c_erase')
      .execute()
    assert.deepEqual(left, [])
    await keyring.close()
    await fresh.keyring.close()
  })

  /**
   * Two processes on one database: a keyring here that has sealed (and cached) one value
   * that will be shredded and one that stays, and a keyring on a second handle.
   */
  async function withAnotherProcess(
    options: TestKeyringOptions,
    work: (scene: {
      keyring: Keyring
      elsewhere: Keyring
      other: Storage
      erased: { cell: CellRef; value: Buffer }
      kept: { cell: CellRef; value: Buffer }
    }) => Promise<void>,
  ): Promise<void> {
    const { keyring } = await openTestKeyring(context.storage(), options)
    const other = openSecondHandle(context.storage())
    const elsewhere = await openTestKeyring(other)
    try {
      const erasedCell = cellOf('ws_x', `c_erased_${newId()}`)
      const keptCell = cellOf('ws_x', `c_kept_${newId()}`)
      const erased = { cell: erasedCell, value: await keyring.seal(erasedCell, 'gone@example.com') }
      const kept = { cell: keptCell, value: await keyring.seal(keptCell, 'stays@example.com') }
      // Both keys are cached here now.
      assert.equal(await keyring.openText(erased.cell, erased.value), 'gone@example.com')
      await work({ keyring, elsewhere: elsewhere.keyring, other, erased, kept })
      assert.equal(await keyring.openText(kept.cell, kept.value), 'stays@example.com')
    } finally {
      await elsewhere.keyring.close()
      await other.close()
      await keyring.close()
    }
  }

  test('a subject shredded by another process stops opening here too, other keys reload', async () => {
    const clock = new ManualClock('2026-03-01T09:00:00Z')
    await withAnotherProcess({ clock }, async ({ keyring, elsewhere, erased }) => {
      await elsewhere.shredSubject('ws_x', erased.cell.subjectId)
      // SQLite sees the other connection's commit at once; PostgreSQL looks once a second.
      if (context.dialect === 'postgres') clock.advance(1000)
      await rejectsWith(keyring.open(erased.cell, erased.value), 'subject_erased')
    })
  })

  test('a listening keyring drops a key shredded elsewhere as the shred commits, with no clock tick', async () => {
    // The clock never moves, so PostgreSQL's once-a-second check never runs: only the
    // signal can drop the key there (SQLite needs none: data_version moves at the commit).
    const options = { listenForShreds: true }
    await withAnotherProcess(options, async ({ keyring, elsewhere, other, erased }) => {
      const subjectId = erased.cell.subjectId
      // A shred that destroys nothing, and one that rolls back, say nothing.
      await elsewhere.shredSubject('ws_x', 'c_never_sealed')
      await assert.rejects(
        other.db.transaction().execute(async (trx) => {
          await elsewhere.shredSubject('ws_x', subjectId, { db: trx })
          throw new Error('roll back')
        }),
        /roll back/,
      )
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(await keyring.openText(erased.cell, erased.value), 'gone@example.com')
      await elsewhere.shredSubject('ws_x', subjectId)
      const deadline = Date.now() + 5000
      let refused = false
      while (!refused && Date.now() < deadline) {
        refused = await keyring.open(erased.cell, erased.value).then(
          () => false,
          (error: unknown) => isAppError(error) && error.code === 'subject_erased',
        )
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.ok(refused, 'the shred was heard within 5 s')
    })
  })

  test('a shred counts in the shred epoch only when it destroyed a key', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const db = context.storage().db
    await keyring.seal(cellOf('ws_epoch', 'c_sealed'), 'someone@example.com')
    const before = await selectShredEpoch(db)
    assert.deepEqual(await keyring.shredSubject('ws_epoch', 'c_never_sealed'), {
      keysDestroyed: 0,
    })
    assert.equal(await selectShredEpoch(db), before, 'nothing destroyed, nothing to drop')
    assert.deepEqual(await keyring.shredSubject('ws_epoch', 'c_sealed'), { keysDestroyed: 1 })
    assert.equal(await selectShredEpoch(db), before + 1)
    assert.deepEqual(await keyring.shredSubject('ws_epoch', 'c_sealed'), { keysDestroyed: 0 })
    assert.equal(await selectShredEpoch(db), before + 1, 'a second shred destroys nothing')
    await keyring.close()
  })

  test('sealers made inside a transaction that rolls back leave no key behind', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const db = context.storage().db
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        const sealers = await keyring.sealersFor('ws_rollback', ['s_1', 's_2'], { db: trx })
        assert.equal(sealers.size, 2)
        throw new Error('roll back')
      }),
      /roll back/,
    )
    const keys = await db
      .selectFrom('subject_keys')
      .select('subject_id')
      .where('workspace_id', '=', 'ws_rollback')
      .execute()
    assert.deepEqual(keys, [])
    // Nothing of the rolled-back keys was cached: sealing now makes and keeps real keys.
    const cell = cellOf('ws_rollback', 's_1')
    const sealed = await keyring.seal(cell, 'after rollback')
    const fresh = await openTestKeyring(context.storage())
    assert.equal(await fresh.keyring.openText(cell, sealed), 'after rollback')
    await keyring.close()
    await fresh.keyring.close()
  })

  test('sealers made inside a committed transaction seal values that open later', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const db = context.storage().db
    const subjects = ['t_1', 't_2', 't_3']
    const sealed = await db.transaction().execute(async (trx) => {
      const sealers = await keyring.sealersFor('ws_trx', subjects, { db: trx })
      return subjects.map((subjectId) => {
        const sealer = sealers.get(subjectId)
        assert.ok(sealer)
        return sealer.seal(
          { table: 'contacts', column: 'email', rowId: subjectId },
          `${subjectId}@example.com`,
        )
      })
    })
    for (const [index, subjectId] of subjects.entries()) {
      const value = sealed[index]
      assert.ok(value)
      assert.equal(
        await keyring.openText(cellOf('ws_trx', subjectId), value),
        `${subjectId}@example.com`,
      )
    }
    await keyring.close()
  })

  test('opening for a subject that never had a key makes none', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const sealed = await keyring.seal(cellOf('ws_a', 'c_known'), 'x')
    await rejectsWith(keyring.open(cellOf('ws_a', 'c_unknown'), sealed), 'subject_erased')
    const sealers = await keyring.sealersFor('ws_a', ['c_unknown'], { create: false })
    assert.equal(sealers.size, 0)
    await keyring.close()
  })

  test('the same email gives the same blind index whatever its case or spacing; workspaces differ', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const plain = await keyring.blindIndex('ws_a', 'email', 'ada@example.com')
    assert.equal(plain.length, 32)
    assert.deepEqual(await keyring.blindIndex('ws_a', 'email', '  Ada@Example.COM '), plain)
    assert.notDeepEqual(await keyring.blindIndex('ws_b', 'email', 'ada@example.com'), plain)
    assert.notDeepEqual(await keyring.blindIndex('ws_a', 'external_id', 'ada@example.com'), plain)
    assert.equal(
      await keyring.blindIndexHex('ws_a', 'email', 'ADA@example.com'),
      plain.toString('hex'),
    )
    const indexer = await keyring.indexerFor('ws_a')
    assert.deepEqual(indexer.index('email', 'Ada@example.com'), plain)
    assert.equal(indexer.hex('email', 'ada@example.com'), plain.toString('hex'))
    const fresh = await openTestKeyring(context.storage())
    assert.deepEqual(await fresh.keyring.blindIndex('ws_a', 'email', 'ada@example.com'), plain)
    await keyring.close()
    await fresh.keyring.close()
  })

  test("the instance's blind index is one for every workspace, its own, and the same in another process", async () => {
    const { keyring } = await openTestKeyring(context.storage())
    const instance = await keyring.instanceBlindIndex('email', 'ada@example.com')
    assert.equal(instance.length, 32)
    assert.deepEqual(await keyring.instanceBlindIndex('email', ' ADA@example.com'), instance)
    assert.notDeepEqual(await keyring.blindIndex('ws_a', 'email', 'ada@example.com'), instance)
    assert.notDeepEqual(await keyring.instanceBlindIndex('ip_address', 'ada@example.com'), instance)
    const other = openSecondHandle(context.storage())
    const fresh = await openTestKeyring(other)
    assert.deepEqual(await fresh.keyring.instanceBlindIndex('email', 'ada@example.com'), instance)
    await keyring.close()
    await fresh.keyring.close()
    await other.close()
  })

  test('a closed keyring refuses to work', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    await keyring.close()
    await rejectsWith(keyring.seal(cellOf('ws_a', 'c_1'), 'x'), 'unavailable')
  })

  test('a wrong master key stops opening with a clear error', async () => {
    await (await openTestKeyring(context.storage())).keyring.close()
    await assert.rejects(
      openTestKeyring(context.storage(), { masterKey: testMasterKey('two') }),
      (error: unknown) => {
        assert.ok(isAppError(error))
        assert.equal(error.code, 'master_key_mismatch')
        assert.match(error.message, /not the key this database was set up with/)
        assert.match(error.message, /nothing was changed/)
        return true
      },
    )
  })
})
