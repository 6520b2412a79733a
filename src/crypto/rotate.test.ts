import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import { binaryColumnType } from '../storage/index.js'
import type { Storage } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import type { Keyring } from './keyring.js'
import type { RotationProgress } from './rotate.js'
import type { SealedColumns } from './sealed-columns.js'
import { openTestKeyring } from './testing/keyring.js'

interface NotesTable {
  id: string
  workspace_id: string
  subject_id: string
  body: Buffer
  profile: Buffer
  extra: Buffer | null
}

const notes: SealedColumns = {
  table: 'rot_notes',
  idColumn: 'id',
  workspaceColumn: 'workspace_id',
  subjectColumn: 'subject_id',
  columns: ['body', 'profile', 'extra'],
}

async function createNotes(storage: Storage): Promise<void> {
  const binary = binaryColumnType(storage.db)
  await storage.db.schema
    .createTable('rot_notes')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('body', binary, (column) => column.notNull())
    .addColumn('profile', binary, (column) => column.notNull())
    .addColumn('extra', binary)
    .execute()
}

/** Stores `count` notes over `subjects` subjects, each with a text and a JSON value. */
async function storeNotes(
  storage: Storage,
  keyring: Keyring,
  workspaceId: string,
  subjects: number,
  count: number,
) {
  const db = storage.db.withTables<{ rot_notes: NotesTable }>()
  const expected = new Map<
    string,
    { subjectId: string; body: string; profile: { n: number; who: string } }
  >()
  for (let i = 0; i < count; i += 1) {
    const id = `${workspaceId}_note_${String(i).padStart(3, '0')}`
    const subjectId = `${workspaceId}_subject_${i % subjects}`
    const sealer = await keyring.sealerFor(workspaceId, subjectId)
    const body = `note ${i} about ${subjectId}`
    const profile = { n: i, who: `Person ${i}` }
    await db
      .insertInto('rot_notes')
      .values({
        id,
        workspace_id: workspaceId,
        subject_id: subjectId,
        body: sealer.seal({ table: 'rot_notes', column: 'body', rowId: id }, body),
        profile: sealer.sealJson({ table: 'rot_notes', column: 'profile', rowId: id }, profile),
        extra:
          i % 3 === 0
            ? sealer.seal({ table: 'rot_notes', column: 'extra', rowId: id }, `extra ${i}`)
            : null,
      })
      .execute()
    expected.set(id, { subjectId, body, profile })
  }
  return expected
}

async function readNotes(storage: Storage, workspaceId: string) {
  const db = storage.db.withTables<{ rot_notes: NotesTable }>()
  return db
    .selectFrom('rot_notes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute()
}

async function assertAllOpen(
  storage: Storage,
  keyring: Keyring,
  workspaceId: string,
  expected: Awaited<ReturnType<typeof storeNotes>>,
) {
  const rows = await readNotes(storage, workspaceId)
  assert.equal(rows.length, expected.size)
  for (const row of rows) {
    const want = expected.get(row.id)
    assert.ok(want)
    const cell = (column: string) => ({
      workspaceId,
      subjectId: row.subject_id,
      table: 'rot_notes',
      column,
      rowId: row.id,
    })
    assert.equal(await keyring.openText(cell('body'), row.body), want.body)
    assert.deepEqual(await keyring.openJson(cell('profile'), row.profile), want.profile)
    if (row.extra !== null)
      assert.equal(await keyring.openText(cell('extra'), row.extra), `extra ${want.profile.n}`)
  }
}

describeEachDialect('key rotation', (context) => {
  test('rotation re-wraps every subject key under a new version and retires the old one', async () => {
    const storage = context.storage()
    await createNotes(storage)
    const { keyring } = await openTestKeyring(storage, { sealedColumns: [notes] })
    const expected = await storeNotes(storage, keyring, 'ws_r1', 9, 20)
    const other = await storeNotes(storage, keyring, 'ws_r1_other', 2, 3)
    const progress: RotationProgress[] = []

    const [rotation, ...rest] = await keyring.rotate({
      workspaceId: 'ws_r1',
      batchSize: 4,
      onProgress: (event) => progress.push(event),
    })
    assert.equal(rest.length, 0)
    assert.deepEqual(rotation, {
      workspaceId: 'ws_r1',
      fromVersion: 1,
      toVersion: 2,
      rewrapped: 9,
      retired: [1],
    })
    const last = progress.at(-1)
    assert.deepEqual(last, { workspaceId: 'ws_r1', phase: 'rewrap', done: 9, total: 9 })

    const db = storage.db
    const versions = await db
      .selectFrom('workspace_keys')
      .select(['version', 'status', 'wrapped_key'])
      .where('workspace_id', '=', 'ws_r1')
      .orderBy('version')
      .execute()
    assert.deepEqual(
      versions.map((row) => [row.version, row.status, row.wrapped_key === null]),
      [
        [1, 'retired', true],
        [2, 'active', false],
      ],
    )
    const stillUnderOld = await db
      .selectFrom('subject_keys')
      .select('subject_id')
      .where('workspace_id', '=', 'ws_r1')
      .where('workspace_key_version', '<>', 2)
      .execute()
    assert.deepEqual(stillUnderOld, [])

    // Every value opens, in this process and in a fresh one that has cached nothing.
    await assertAllOpen(storage, keyring, 'ws_r1', expected)
    const fresh = await openTestKeyring(storage)
    await assertAllOpen(storage, fresh.keyring, 'ws_r1', expected)
    await assertAllOpen(storage, fresh.keyring, 'ws_r1_other', other)
    // New subjects after rotation get keys under the new version.
    await fresh.keyring.seal(
      { workspaceId: 'ws_r1', subjectId: 'late', table: 't', column: 'c', rowId: 'r' },
      'x',
    )
    const late = await db
      .selectFrom('subject_keys')
      .select('workspace_key_version')
      .where('subject_id', '=', 'late')
      .executeTakeFirst()
    assert.equal(late?.workspace_key_version, 2)
    await keyring.close()
    await fresh.keyring.close()
  })

  test('reseal re-encrypts every registered value under new subject keys; all still open', async () => {
    const storage = context.storage()
    await createNotes(storage)
    const { keyring } = await openTestKeyring(storage, { sealedColumns: [notes] })
    const expected = await storeNotes(storage, keyring, 'ws_r2', 5, 13)
    // A subject with a key but no registered rows still gets a new key version.
    await keyring.seal(
      { workspaceId: 'ws_r2', subjectId: 'keys_only', table: 'x', column: 'y', rowId: 'z' },
      'x',
    )
    const before = await readNotes(storage, 'ws_r2')
    const phases = new Set<string>()

    const [rotation] = await keyring.rotate({
      workspaceId: 'ws_r2',
      reseal: true,
      batchSize: 3,
      onProgress: (event) => phases.add(event.phase),
    })
    assert.ok(rotation?.reseal)
    const extras = [...expected.values()].filter((note) => note.profile.n % 3 === 0).length
    assert.deepEqual(rotation.reseal, {
      subjectKeys: 6,
      values: 13 * 2 + extras,
      skippedRows: 0,
      tables: [{ table: 'rot_notes', rows: 13, values: 13 * 2 + extras }],
    })
    assert.deepEqual([...phases].sort(), ['reseal', 'rewrap', 'subject-keys'])

    const after = await readNotes(storage, 'ws_r2')
    for (const [index, row] of after.entries()) {
      const old = before[index]
      assert.ok(old)
      assert.ok(!row.body.equals(old.body), 'every value is re-encrypted')
      assert.ok(!row.profile.equals(old.profile))
      assert.equal(row.body.readUInt32BE(2), 2, 'sealed under subject key version 2')
    }
    const keyRows = await storage.db
      .selectFrom('subject_keys')
      .select(['version', 'status'])
      .where('workspace_id', '=', 'ws_r2')
      .where('subject_id', '=', 'ws_r2_subject_0')
      .orderBy('version')
      .execute()
    assert.deepEqual(keyRows, [
      { version: 1, status: 'retired' },
      { version: 2, status: 'active' },
    ])
    await assertAllOpen(storage, keyring, 'ws_r2', expected)
    const fresh = await openTestKeyring(storage)
    await assertAllOpen(storage, fresh.keyring, 'ws_r2', expected)
    await keyring.close()
    await fresh.keyring.close()
  })

  test('reseal skips the rows of a shredded subject and keeps the others readable', async () => {
    const storage = context.storage()
    await createNotes(storage)
    const { keyring } = await openTestKeyring(storage, { sealedColumns: [notes] })
    const expected = await storeNotes(storage, keyring, 'ws_r3', 3, 6)
    await keyring.shredSubject('ws_r3', 'ws_r3_subject_1')
    const [rotation] = await keyring.rotate({ workspaceId: 'ws_r3', reseal: true })
    assert.ok(rotation?.reseal)
    assert.equal(rotation.reseal.skippedRows, 2)
    assert.equal(rotation.reseal.tables[0]?.rows, 4)
    for (const [id, note] of expected) if (note.subjectId === 'ws_r3_subject_1') expected.delete(id)
    const rows = await readNotes(storage, 'ws_r3')
    for (const row of rows) {
      const want = expected.get(row.id)
      const cell = {
        workspaceId: 'ws_r3',
        subjectId: row.subject_id,
        table: 'rot_notes',
        column: 'body',
        rowId: row.id,
      }
      if (want === undefined) {
        await assert.rejects(
          keyring.open(cell, row.body),
          (error: unknown) => isAppError(error) && error.code === 'subject_erased',
        )
      } else {
        assert.equal(await keyring.openText(cell, row.body), want.body)
      }
    }
    await keyring.close()
  })

  test('rotating every workspace rotates each once; twice in a row keeps everything readable', async () => {
    const storage = context.storage()
    await createNotes(storage)
    const { keyring } = await openTestKeyring(storage, { sealedColumns: [notes] })
    const first = await storeNotes(storage, keyring, 'ws_all_a', 2, 4)
    const second = await storeNotes(storage, keyring, 'ws_all_b', 2, 4)
    const all = await keyring.rotate()
    const mine = all.filter((rotation) => rotation.workspaceId.startsWith('ws_all_'))
    assert.deepEqual(
      mine.map((rotation) => [rotation.workspaceId, rotation.toVersion]),
      [
        ['ws_all_a', 2],
        ['ws_all_b', 2],
      ],
    )
    const [again] = await keyring.rotate({ workspaceId: 'ws_all_a' })
    assert.deepEqual(again?.retired, [2])
    await assertAllOpen(storage, keyring, 'ws_all_a', first)
    const fresh = await openTestKeyring(storage)
    await assertAllOpen(storage, fresh.keyring, 'ws_all_a', first)
    await assertAllOpen(storage, fresh.keyring, 'ws_all_b', second)
    await keyring.close()
    await fresh.keyring.close()
  })

  test('rotating a workspace that has no keys is a not-found error', async () => {
    const { keyring } = await openTestKeyring(context.storage())
    await assert.rejects(
      keyring.rotate({ workspaceId: 'ws_never' }),
      (error: unknown) => isAppError(error) && error.code === 'not_found',
    )
    await keyring.close()
  })
})
