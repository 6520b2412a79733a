import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import SqliteDatabase from 'better-sqlite3'
import { sql } from 'kysely'
import type { Database } from './database.js'
import { padToSizeClass, reusableQuery } from './reusable-query.js'
import { withPreparedStatementCache } from './sqlite.js'
import { describeEachDialect } from './testing/dialects.js'
import { inWriteTransaction } from './write-transaction.js'

/** The one instance row the queries below read: inst-1 in eu. */
async function seedInstance(db: Database): Promise<void> {
  await db.deleteFrom('instance').execute()
  await db
    .insertInto('instance')
    .values({ slot: 'this', id: 'inst-1', region: 'eu', created_at: '2026-01-01T00:00:00.000Z' })
    .execute()
}

describeEachDialect('reusable queries', (context) => {
  const instanceRegion = reusableQuery(
    (region: string, id: string) =>
      // `region` is bound twice and before `id`: each value must land in its own place.
      sql<{ id: string; region: string; same: number }>`select id, region,
      case when region = ${region} then 1 else 0 end as same
      from instance where id = ${id} and region = ${region}`,
  )

  test('each call runs with its own values, in the places the builder put them', async () => {
    const { db } = context.storage()
    await seedInstance(db)
    assert.deepEqual(await instanceRegion.execute(db, 'eu', 'inst-1'), [
      { id: 'inst-1', region: 'eu', same: 1 },
    ])
    assert.deepEqual(await instanceRegion.execute(db, 'us', 'inst-1'), [])
    assert.deepEqual(await instanceRegion.execute(db, 'eu', 'inst-2'), [])
  })

  test('a rest parameter gets one text per count, each value in its place', async () => {
    const { db } = context.storage()
    await seedInstance(db)
    const inList = reusableQuery(
      (region: string, ...ids: string[]) =>
        sql<{ id: string }>`select id from instance
        where id in (${sql.join(ids)}) and region = ${region}`,
    )
    assert.deepEqual(await inList.execute(db, 'eu', 'inst-1'), [{ id: 'inst-1' }])
    assert.deepEqual(await inList.execute(db, 'eu', 'a', 'b', 'inst-1'), [{ id: 'inst-1' }])
    assert.deepEqual(await inList.execute(db, 'eu', 'a', 'b'), [])
    assert.deepEqual(await inList.execute(db, 'us', 'inst-1', 'a'), [])
    assert.deepEqual(await inList.execute(db, 'eu', 'inst-1'), [{ id: 'inst-1' }])
  })

  test('a read never sees the writes of a transaction still open, which then rolls back', async () => {
    const { db } = context.storage()
    await db.deleteFrom('instance').execute()
    let readDuringTransaction: Promise<unknown[]> | undefined
    await assert.rejects(
      inWriteTransaction(db, async (trx) => {
        await trx
          .insertInto('instance')
          .values({ slot: 'this', id: 'inst-9', region: 'eu', created_at: '2026-01-01' })
          .execute()
        // On SQLite the transaction holds the one connection across this await: the read
        // must wait for it rather than run inside it.
        readDuringTransaction = instanceRegion.execute(db, 'eu', 'inst-9')
        await new Promise((resolve) => setTimeout(resolve, 20))
        throw new Error('roll back')
      }),
      /roll back/,
    )
    assert.deepEqual(await readDuringTransaction, [])
  })

  test('a read outside any transaction does not wait for a caller holding the connection', async () => {
    const { db } = context.storage()
    let release = () => {}
    let acquired = () => {}
    const holding = new Promise<void>((resolve) => {
      acquired = resolve
    })
    const held = db.connection().execute(
      () =>
        new Promise<void>((resolve) => {
          release = resolve
          acquired()
        }),
    )
    await holding
    try {
      const rows = await Promise.race([
        instanceRegion.execute(db, 'eu', 'inst-1'),
        new Promise((resolve) => setTimeout(() => resolve('waited'), 2000)),
      ])
      assert.notEqual(rows, 'waited')
    } finally {
      release()
      await held
    }
  })

  test('a builder that binds anything but its arguments is refused', async () => {
    const shaped = reusableQuery((id: string) => sql`select ${id}, ${'constant'}`)
    await assert.rejects(shaped.execute(context.storage().db, 'x'), /only its own arguments/)
  })
})

describe('the SQLite prepared-statement cache', () => {
  /** A fresh SQLite file for one test, closed and removed after it. */
  const withConnection = (run: (connection: SqliteDatabase.Database) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-stmt-'))
    const connection = new SqliteDatabase(join(dir, 'cache.sqlite'))
    try {
      run(connection)
    } finally {
      connection.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }

  test('the same SQL text is prepared once; another text gets its own statement', () => {
    withConnection((connection) => {
      const cached = withPreparedStatementCache(connection, 2)
      const first = cached.prepare('select 1 as one')
      assert.equal(cached.prepare('select 1 as one'), first)
      assert.notEqual(cached.prepare('select 2 as two'), first)
      assert.deepEqual(first.all([]), [{ one: 1 }])
    })
  })

  test('the least recently used text is dropped beyond the capacity', () => {
    withConnection((connection) => {
      const cached = withPreparedStatementCache(connection, 2)
      const one = cached.prepare('select 1')
      cached.prepare('select 2')
      cached.prepare('select 3')
      assert.notEqual(cached.prepare('select 1'), one)
    })
  })

  test('a statement still iterating is not handed out again', () => {
    withConnection((connection) => {
      const cached = withPreparedStatementCache(connection)
      const text = 'select value from json_each(?)'
      const rows = cached.prepare(text).iterate(['[1,2,3]'])
      assert.deepEqual(rows.next().value, { value: 1 })
      // The first statement is busy mid-iteration: a second caller gets a fresh one.
      assert.deepEqual(cached.prepare(text).all(['[4]']), [{ value: 4 }])
      assert.deepEqual([...rows], [{ value: 2 }, { value: 3 }])
    })
  })
})

test('batch chunks are padded to a few size classes with the filler, keeping their values', () => {
  const sizes = [1, 2, 3, 5, 9, 100, 129, 256, 257, 499, 500].map((length) => {
    const chunk = Array.from({ length }, (_, index) => `id-${String(index)}`)
    const padded = padToSizeClass(chunk, '')
    assert.deepEqual(padded.slice(0, length), chunk)
    assert.ok(padded.slice(length).every((value) => value === ''))
    return padded.length
  })
  assert.deepEqual(sizes, [1, 2, 4, 8, 16, 128, 256, 256, 500, 500, 500])
})
