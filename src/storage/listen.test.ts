import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import type { Listening } from './database.js'
import { channelNameIn, signal } from './postgres.js'
import { describePostgres } from './testing/dialects.js'

/** Resolves once `check` holds, polling every 20 ms; fails after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${String(ms)} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describePostgres('PostgreSQL signals (LISTEN)', (context) => {
  /** Backends of this database now listening on `name`. */
  const listeners = async (name: string) => {
    const result = await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and query = ${`listen "${name}"`}`.execute(
      context.storage().db,
    )
    return result.rows.map((row) => row.pid)
  }

  test('a committed signal is heard, a rolled-back one is not, and a lost connection comes back', async () => {
    const storage = context.storage()
    const listen = storage.listen
    assert.ok(listen, 'PostgreSQL storage can listen')
    let heard = 0
    const lost: unknown[] = []
    const listening: Listening = await listen(
      'custodian_test',
      () => {
        heard += 1
      },
      (error) => lost.push(error),
    )
    try {
      const name = await channelNameIn(storage.db, 'custodian_test')
      assert.ok(name.length <= 63, name)
      await signal(context.storage().db, 'custodian_test')
      await eventually(() => heard === 1)
      await assert.rejects(
        context
          .storage()
          .db.transaction()
          .execute(async (trx) => {
            await signal(trx, 'custodian_test')
            throw new Error('roll back')
          }),
        /roll back/,
      )
      await signal(context.storage().db, 'another_channel')
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(heard, 1, 'neither a rolled-back signal nor another channel is heard')

      // The listening connection dies (a restart, a network cut): it says so, signals
      // (one may have been missed), and listens again by itself.
      const [pid] = await listeners(name)
      assert.ok(pid !== undefined, 'one connection listens')
      await sql`select pg_terminate_backend(${pid})`.execute(context.storage().db)
      await eventually(() => lost.length === 1 && heard >= 2)
      await eventually(async () => (await listeners(name)).some((other) => other !== pid))
      const before = heard
      await signal(context.storage().db, 'custodian_test')
      await eventually(() => heard > before)
    } finally {
      await listening.close()
    }
    await eventually(
      async () =>
        (await listeners(await channelNameIn(context.storage().db, 'custodian_test'))).length === 0,
    )
  })
})
