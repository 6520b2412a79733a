import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { systemClock } from './clock.js'
import { loadConfig } from './config.js'
import { shredChannel } from './crypto/index.js'
import { testMasterKey } from './crypto/testing/keyring.js'
import { createLogger } from './logger.js'
import { composeWorkspaceSettings } from './settings-fragments.js'
import { startServer } from './main.js'
import { channelNameIn } from './storage/index.js'
import { describePostgres, testDatabaseUrl } from './storage/testing/dialects.js'
import { createWorkspace } from './workspaces/index.js'

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

test('start-up finishes an erasure a crash left open', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-resume-'))
  const config = loadConfig({
    env: { DATA_DIR: dataDir, CUSTODIAN_MASTER_KEY: testMasterKey(), HOST: '127.0.0.1', PORT: '0' },
  })
  const logger = createLogger({ level: 'silent' })
  const first = await startServer(config, { logger })
  const workspace = await createWorkspace(
    {
      db: first.storage.db,
      audit: first.audit,
      clock: systemClock,
      instanceRegion: 'eu',
      settings: composeWorkspaceSettings(),
    },
    { name: 'Resume Co', actor: { actorType: 'system', actorId: null } },
  )
  // As eraseSubject leaves it when the process dies after recording its plan.
  await first.storage.db
    .insertInto('subject_erasures')
    .values({
      id: '0193e0e0-0000-7000-8000-0000000000aa',
      workspace_id: workspace.id,
      key_holders: JSON.stringify(['0193e0e0-0000-7000-8000-0000000000bb']),
      requested_by: 'system',
      planned_at: new Date().toISOString(),
      keys_destroyed_at: null,
      completed_at: null,
      outcome: null,
    })
    .execute()
  await first.close()
  const second = await startServer(config, { logger })
  try {
    const record = await second.storage.db
      .selectFrom('subject_erasures')
      .select(['completed_at', 'keys_destroyed_at'])
      .executeTakeFirstOrThrow()
    assert.notEqual(record.completed_at, null)
    assert.notEqual(record.keys_destroyed_at, null)
  } finally {
    await second.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
