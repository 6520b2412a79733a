import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { inWriteTransaction } from '../storage/index.js'
import type { Keyring } from './keyring.js'
import type { SealingRequest } from './prepared-sealing.js'
import { openTestKeyring } from './testing/keyring.js'

const table = 'contacts'

function requestFor(subjectId: string, email: string): SealingRequest {
  return {
    subjectId,
    cells: [
      { field: { table, column: 'profile', rowId: subjectId }, json: { email, tags: ['vip'] } },
      { field: { table, column: 'email', rowId: subjectId }, value: email },
      { field: { table, column: 'raw', rowId: subjectId }, value: Buffer.from([0, 1, 2]) },
    ],
    indexes: [{ kind: 'email', value: email }],
  }
}

/** Checks every value of `requestFor(subjectId, email)` opens as sealed, and the index. */
async function assertOpens(
  keyring: Keyring,
  workspaceId: string,
  subjectId: string,
  email: string,
  values: { sealed: Buffer[]; indexes: Buffer[] },
): Promise<void> {
  const cell = (column: string) => ({ workspaceId, subjectId, table, column, rowId: subjectId })
  const [profile, text, raw] = values.sealed
  assert.ok(profile !== undefined && text !== undefined && raw !== undefined)
  assert.deepEqual(await keyring.openJson(cell('profile'), profile), { email, tags: ['vip'] })
  assert.equal(await keyring.openText(cell('email'), text), email)
  assert.deepEqual(await keyring.open(cell('raw'), raw), Buffer.from([0, 1, 2]))
  assert.deepEqual(values.indexes, [await keyring.blindIndex(workspaceId, 'email', email)])
}

async function keyRowsOf(db: Database, workspaceId: string, subjectIds: string[]) {
  return db
    .selectFrom('subject_keys')
    .select(['subject_id', 'version', 'workspace_key_version'])
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', 'in', subjectIds)
    .orderBy('subject_id')
    .execute()
}

describeEachDialect('sealing on the worker thread', (context) => {
  test('a batch sealed on the worker opens, indexes as the keyring does, and stores its keys with the rows', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const known = newId()
    const knownSealed = await keyring.seal(
      { workspaceId: 'ws_w1', subjectId: known, table, column: 'email', rowId: known },
      'before@example.com',
    )
    const fresh = [newId(), newId(), newId()]
    const subjects = [known, ...fresh]
    const emails = subjects.map((_, index) => `person${String(index)}@example.com`)
    const prepared = await keyring.prepareSealing(
      'ws_w1',
      subjects.map((subjectId, index) => requestFor(subjectId, emails[index] ?? '')),
    )
    const sealed = await inWriteTransaction(storage.db, (trx) => prepared.commit(trx))
    for (const [index, subjectId] of subjects.entries()) {
      const values = sealed[index]
      assert.ok(values)
      await assertOpens(keyring, 'ws_w1', subjectId, emails[index] ?? '', values)
    }
    // The known subject kept its one key; each new one got version 1.
    const rows = await keyRowsOf(storage.db, 'ws_w1', subjects)
    assert.equal(rows.length, subjects.length)
    assert.ok(rows.every((row) => row.version === 1))
    assert.equal(
      await keyring.openText(
        { workspaceId: 'ws_w1', subjectId: known, table, column: 'email', rowId: known },
        knownSealed,
      ),
      'before@example.com',
    )
    await keyring.close()
  })

  test('keys made for a batch whose transaction rolls back are not kept', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const subjects = [newId(), newId()]
    const prepared = await keyring.prepareSealing(
      'ws_w2',
      subjects.map((subjectId) => requestFor(subjectId, `${subjectId}@example.com`)),
      { newSubjects: true },
    )
    await assert.rejects(
      inWriteTransaction(storage.db, async (trx) => {
        await prepared.commit(trx)
        throw new Error('the rows failed to insert')
      }),
      /the rows failed to insert/,
    )
    assert.deepEqual(await keyRowsOf(storage.db, 'ws_w2', subjects), [])
    await keyring.close()
  })

  test('a rotation finished between preparing and committing: the batch is sealed again under the new workspace key', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    await keyring.seal(
      { workspaceId: 'ws_w3', subjectId: 'c_first', table, column: 'email', rowId: 'c_first' },
      'first@example.com',
    )
    const subject = newId()
    const prepared = await keyring.prepareSealing(
      'ws_w3',
      [requestFor(subject, 'rotated@example.com')],
      { newSubjects: true },
    )
    const [rotation] = await keyring.rotate({ workspaceId: 'ws_w3' })
    assert.ok(rotation !== undefined)
    const [values] = await inWriteTransaction(storage.db, (trx) => prepared.commit(trx))
    assert.ok(values)
    await assertOpens(keyring, 'ws_w3', subject, 'rotated@example.com', values)
    const [row] = await keyRowsOf(storage.db, 'ws_w3', [subject])
    assert.equal(row?.workspace_key_version, rotation.toVersion)
    await keyring.close()
  })

  test('a key another process made first, or a shred since, is found at commit and the batch sealed with the keys as they are', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const racing = newId()
    const calm = newId()
    const shredded = newId()
    await keyring.seal(
      { workspaceId: 'ws_w4', subjectId: shredded, table, column: 'email', rowId: shredded },
      'old@example.com',
    )
    // Declared new, yet another writer makes its key before the batch commits.
    const declaredNew = await keyring.prepareSealing(
      'ws_w4',
      [requestFor(calm, 'calm@example.com'), requestFor(racing, 'racing@example.com')],
      { newSubjects: true },
    )
    const theirs = await openTestKeyring(storage)
    await theirs.keyring.seal(
      { workspaceId: 'ws_w4', subjectId: racing, table, column: 'name', rowId: racing },
      'Racing',
    )
    await theirs.keyring.close()
    const [calmValues, racingValues] = await inWriteTransaction(storage.db, (trx) =>
      declaredNew.commit(trx),
    )
    assert.ok(calmValues && racingValues)
    await assertOpens(keyring, 'ws_w4', calm, 'calm@example.com', calmValues)
    await assertOpens(keyring, 'ws_w4', racing, 'racing@example.com', racingValues)
    assert.equal((await keyRowsOf(storage.db, 'ws_w4', [calm, racing])).length, 2)

    // Prepared with the subject's cached key, which a shred then destroys.
    const withCachedKey = await keyring.prepareSealing('ws_w4', [
      requestFor(shredded, 'new@example.com'),
    ])
    await keyring.shredSubject('ws_w4', shredded)
    const [shreddedValues] = await inWriteTransaction(storage.db, (trx) =>
      withCachedKey.commit(trx),
    )
    assert.ok(shreddedValues)
    await assertOpens(keyring, 'ws_w4', shredded, 'new@example.com', shreddedValues)
    await keyring.close()
  })

  test('a key shredded by another process after it was cached here is not sealed under', async () => {
    const storage = context.storage()
    // The clock never moves: only the commit's own check can notice the shred.
    const { keyring } = await openTestKeyring(storage)
    const subject = newId()
    await keyring.seal(
      { workspaceId: 'ws_w7', subjectId: subject, table, column: 'email', rowId: subject },
      'cached@example.com',
    )
    const prepared = await keyring.prepareSealing('ws_w7', [
      requestFor(subject, 'after@example.com'),
    ])
    const elsewhere = await openTestKeyring(storage)
    assert.deepEqual(await elsewhere.keyring.shredSubject('ws_w7', subject), { keysDestroyed: 1 })
    await elsewhere.keyring.close()
    await prepared.sealed()
    const [values] = await inWriteTransaction(storage.db, (trx) => prepared.commit(trx))
    assert.ok(values)
    // Sealed under a key that exists: a new one, made in the commit's transaction.
    await assertOpens(keyring, 'ws_w7', subject, 'after@example.com', values)
    assert.equal((await keyRowsOf(storage.db, 'ws_w7', [subject])).length, 1)
    await keyring.close()
  })

  test('requests keep drops get no values and their subjects no key, on the worker and when sealed again', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    await keyring.seal(
      { workspaceId: 'ws_w6', subjectId: 'c_first', table, column: 'email', rowId: 'c_first' },
      'first@example.com',
    )
    const dropTaken = async (indexes: readonly (readonly Buffer[])[]) => {
      const taken = await keyring.blindIndex('ws_w6', 'email', 'taken@example.com')
      return indexes.map(([email]) => email?.equals(taken) !== true)
    }
    for (const rotateFirst of [false, true]) {
      const subjects = [newId(), newId()]
      const emails = ['kept@example.com', 'taken@example.com']
      const prepared = await keyring.prepareSealing(
        'ws_w6',
        subjects.map((subjectId, at) => requestFor(subjectId, emails[at] ?? '')),
        { newSubjects: true },
      )
      if (rotateFirst) await keyring.rotate({ workspaceId: 'ws_w6' })
      const [kept, dropped] = await inWriteTransaction(storage.db, (trx) =>
        prepared.commit(trx, { keep: dropTaken }),
      )
      assert.equal(dropped, null)
      assert.ok(kept)
      await assertOpens(keyring, 'ws_w6', subjects[0] ?? '', 'kept@example.com', kept)
      const rows = await keyRowsOf(storage.db, 'ws_w6', subjects)
      assert.deepEqual(
        rows.map((row) => row.subject_id),
        [subjects[0]],
      )
    }
    await keyring.close()
  })

  test('a batch the worker cannot seal fails its commit, and the worker goes on sealing', async () => {
    const storage = context.storage()
    const { keyring } = await openTestKeyring(storage)
    const subject = newId()
    const bad = await keyring.prepareSealing('ws_w5', [
      { subjectId: subject, cells: [{ field: { table, column: 'email', rowId: '' }, value: 'x' }] },
    ])
    await assert.rejects(
      inWriteTransaction(storage.db, (trx) => bad.commit(trx)),
      (error) => {
        assert.ok(isAppError(error))
        assert.equal(error.code, 'invalid_request')
        assert.match(error.message, /Sealing failed: Sealed cells need ids/)
        return true
      },
    )
    const good = await keyring.prepareSealing('ws_w5', [requestFor(subject, 'ok@example.com')])
    const [values] = await inWriteTransaction(storage.db, (trx) => good.commit(trx))
    assert.ok(values)
    await assertOpens(keyring, 'ws_w5', subject, 'ok@example.com', values)
    await keyring.close()
    await assert.rejects(
      keyring.prepareSealing('ws_w5', [requestFor(subject, 'late@example.com')]),
      /closed/,
    )
  })
})
