import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { createAuditLog } from '../src/audit/audit.service.js'
import { openIncident } from '../src/breach/index.js'
import { ManualClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { createContact } from '../src/contacts/index.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { createScheduler } from '../src/jobs/index.js'
import { createModules } from '../src/modules.js'
import { sealedColumnsOfModules } from '../src/personal-data-sources.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { captureLogs } from '../src/testing/log-capture.js'
import { createWorkspace } from '../src/workspaces/index.js'
import { runCli } from './cli-process.js'

// The platform admin's security commands against a real store: the jobs serve runs, the
// breach register, and a retention run with its dry run first.
describe('custodian jobs list, breach list, retention run', () => {
  const env = { CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64') }
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-security-cli-'))
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  test('jobs show their last run, result and next run; the register and the purge answer', async () => {
    const storage = openSqlite(dataDir)
    const config = loadConfig({ env: { DATA_DIR: dataDir, ...env } })
    let incidentId = ''
    try {
      await migrateToLatest(storage)
      const logger = captureLogs().logger
      // Four years ago: the contact made then has been inactive past its three years.
      const clock = new ManualClock(new Date(Date.now() - 4 * 365 * 86_400_000))
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
      const workspace = await createWorkspace(modules.workspaces, { name: 'Security Co', actor })
      await createContact(modules.contacts, {
        workspaceId: workspace.id,
        actor,
        email: 'gone@example.com',
      })
      clock.set(new Date())
      incidentId = (
        await openIncident(
          modules.breach,
          { workspaceId: workspace.id, actor },
          { discoveredAt: new Date().toISOString(), nature: ['confidentiality'] },
        )
      ).id
      // What serve's scheduler does on start: every due job, once.
      const scheduler = createScheduler({ db: storage.db, clock, logger, jobs: modules.jobs })
      await scheduler.tick()
      await scheduler.stop()
      await modules.close()
      await audit.close()
      await keyring.close()
    } finally {
      await storage.close()
    }

    const jobs = runCli(['jobs', 'list', '--data', dataDir, '--json'], env)
    assert.equal(jobs.status, 0, jobs.stderr)
    const listed = JSON.parse(jobs.stdout) as {
      name: string
      lastResult: string | null
      nextRunAt: string | null
      lastSummary: string | null
    }[]
    for (const name of ['breach-detection', 'breach-clock', 'retention']) {
      const job = listed.find((item) => item.name === name)
      assert.equal(job?.lastResult, 'succeeded', name)
      assert.ok(job.nextRunAt !== null)
    }
    // The daily job already purged the inactive contact.
    assert.match(
      listed.find((item) => item.name === 'retention')?.lastSummary ?? '',
      /^1 rows purged/,
    )

    const breaches = runCli(['breach', 'list', '--data', dataDir, '--json'], env)
    assert.equal(breaches.status, 0, breaches.stderr)
    const register = JSON.parse(breaches.stdout) as {
      incidents: { id: string; clock: { state: string } }[]
    }
    assert.deepEqual(
      register.incidents.map((incident) => [incident.id, incident.clock.state]),
      [[incidentId, 'running']],
    )

    const preview = runCli(['retention', 'run', '--dry-run', '--data', dataDir, '--json'], env)
    assert.equal(preview.status, 0, preview.stderr)
    const planned = JSON.parse(preview.stdout) as { dryRun: boolean; rows: number }
    assert.deepEqual([planned.dryRun, planned.rows], [true, 0])
    const human = runCli(['retention', 'run', '--data', dataDir], env)
    assert.equal(human.status, 0, human.stderr)
    assert.match(human.stdout, /inactive-contacts/)
    assert.match(human.stdout, /Purged 0 rows/)
    assert.ok(!human.stdout.includes('@example.com'))
  })
})
