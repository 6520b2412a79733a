import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { sql } from 'kysely'
import { loadConfig } from './config.js'
import { shredChannel } from './crypto/subject-keys.js'
import { testMasterKey } from './crypto/testing/keyring.js'
import { createLogger } from './logger.js'
import { startServer } from './main.js'
import { channelNameIn } from './storage/postgres.js'
import { describePostgres, testDatabaseUrl } from './storage/testing/dialects.js'

describePostgres('startServer on PostgreSQL', (context) => {
  test('a server that fails to start closes what it opened, its shred listener too', async () => {
    // The port is taken, so start-up fails after the keyring (and its listener) opened.
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const address = blocker.address()
    assert.ok(address !== null && typeof address === 'object')
    const url = new URL(testDatabaseUrl)
    url.searchParams.set('options', `-c search_path=${context.storage().schema ?? 'public'}`)
    const config = loadConfig({
      env: {
        DATABASE_URL: url.toString(),
        CUSTODIAN_MASTER_KEY: testMasterKey(),
        HOST: '127.0.0.1',
        PORT: String(address.port),
      },
    })
    const name = await channelNameIn(context.storage().db, shredChannel)
    const listening = async () => {
      const result = await sql<{ count: string | number }>`select count(*) as count
        from pg_stat_activity where query = ${`listen "${name}"`}`.execute(context.storage().db)
      return Number(result.rows[0]?.count ?? 0)
    }
    try {
      await assert.rejects(startServer(config, { logger: createLogger({ level: 'silent' }) }), {
        code: 'EADDRINUSE',
      })
      const deadline = Date.now() + 2000
      while ((await listening()) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.equal(await listening(), 0, 'no connection is left listening')
    } finally {
      blocker.close()
    }
  })
})
