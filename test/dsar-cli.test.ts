import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { createAuditLog } from '../src/audit/audit.service.js'
import { ManualClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { createModules } from '../src/modules.js'
import { sealedColumnsOfModules } from '../src/personal-data-sources.js'
import { fileRequest } from '../src/rights/index.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { captureLogs } from '../src/testing/log-capture.js'
import { createWorkspace } from '../src/workspaces/index.js'
import { runCli } from './cli-process.js'

// The DPO's morning: which requests are open, which are late, from the command line.
describe('custodian dsar list', () => {
  const env = { CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64') }
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-dsar-cli-'))
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  interface Listed {
    id: string
    workspaceId: string
    type: string
    overdue: boolean
  }

  test('lists open requests soonest due first, and only the late ones with --overdue', async () => {
    const storage = openSqlite(dataDir)
    const config = loadConfig({ env: { DATA_DIR: dataDir, ...env } })
    const ids: Record<string, string> = {}
    try {
      await migrateToLatest(storage)
      const logger = captureLogs().logger
      // Filed ten days ago, so its seven days have passed by the CLI's real clock.
      const clock = new ManualClock(new Date(Date.now() - 10 * 86_400_000))
      const keyring = await openKeyring({
        storage,
        config,
        logger,
        clock,
        sealedColumns: sealedColumnsOfModules(),
      })
      const audit = createAuditLog({ db: storage.db, keyring, clock, logger })
      const modules = createModules({
        config,
        storage,
        logger,
        clock,
        keyring,
        audit,
        publicUrl: () => 'https://custodian.test',
        mail: { send: async () => ({ messageId: '<test@custodian.test>' }), close: async () => {} },
      })
      const actor = { actorType: 'system' as const, actorId: null }
      const workspace = await createWorkspace(modules.workspaces, { name: 'Dsar Co', actor })
      const caller = { workspaceId: workspace.id, principal: 'system' as const, actor }
      const verification = { reason: 'Known customer' }
      ids.late = (
        await fileRequest(modules.rights, caller, {
          type: 'erasure',
          subject: { email: 'late@example.com' },
          verification,
        })
      ).id
      clock.set(new Date())
      ids.fresh = (
        await fileRequest(modules.rights, caller, {
          type: 'access',
          subject: { email: 'fresh@example.com' },
          verification,
        })
      ).id
      await modules.close()
      await audit.close()
      await keyring.close()
    } finally {
      await storage.close()
    }

    const all = runCli(['dsar', 'list', '--data', dataDir, '--json'], env)
    assert.equal(all.status, 0, all.stderr)
    const listed = JSON.parse(all.stdout) as Listed[]
    assert.deepEqual(
      listed.map((request) => request.id),
      [ids.late, ids.fresh],
    )
    assert.deepEqual(
      listed.map((request) => request.overdue),
      [true, false],
    )
    assert.ok(!all.stdout.includes('@example.com'), 'the list names no one')

    const late = runCli(['dsar', 'list', '--overdue', '--data', dataDir, '--json'], env)
    assert.deepEqual(
      (JSON.parse(late.stdout) as Listed[]).map((request) => request.id),
      [ids.late],
    )
    const human = runCli(['dsar', 'list', '--overdue', '--data', dataDir], env)
    assert.match(human.stdout, /erasure .*OVERDUE/)

    const jobs = runCli(['jobs', 'list', '--data', dataDir, '--json'], env)
    assert.equal(jobs.status, 0, jobs.stderr)
    assert.ok(
      (JSON.parse(jobs.stdout) as { name: string }[]).some(
        (job) => job.name === 'rights-reminders',
      ),
    )
  })
})
