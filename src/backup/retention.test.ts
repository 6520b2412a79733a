import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ConfigError, loadConfig } from '../config.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { createTenant } from '../identity/testing/fixtures.js'
import { registerSubprocessor } from '../transfers/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import {
  armoredOf,
  createBackup,
  lastDueAt,
  pruneBackups,
  readRecipientKeys,
  runDailyBackup,
} from './index.js'
import { openpgpKey } from './testing/gpg.js'

/**
 * The policy: "retained for a maximum of 1 week". Time is moved, never waited for.
 */
const day = 24 * 60 * 60_000
const system = { actorType: 'system' as const, actorId: null }

describe('the retention setting', () => {
  test('defaults to 7 days, the policy’s ceiling', () => {
    assert.equal(loadConfig({ env: {} }).backupRetentionDays, 7)
    assert.equal(
      loadConfig({ env: { CUSTODIAN_BACKUP_RETENTION_DAYS: '3' } }).backupRetentionDays,
      3,
    )
  })

  test('8 days is refused with a message quoting the policy', () => {
    assert.throws(
      () => loadConfig({ env: { CUSTODIAN_BACKUP_RETENTION_DAYS: '8' } }),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.includes('CUSTODIAN_BACKUP_RETENTION_DAYS') &&
        error.message.includes('retained for a maximum of 1 week'),
    )
  })

  test('the daily time is a UTC time of day', () => {
    assert.throws(() => loadConfig({ env: { CUSTODIAN_BACKUP_TIME: '25:00' } }), ConfigError)
    assert.equal(
      lastDueAt(new Date('2026-12-06T01:00:00Z'), '02:30').toISOString(),
      '2026-12-05T02:30:00.000Z',
    )
    assert.equal(
      lastDueAt(new Date('2026-12-06T03:00:00Z'), '02:30').toISOString(),
      '2026-12-06T02:30:00.000Z',
    )
  })
})

for (const dialect of testDialects) {
  describe(`backup retention and schedule [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let out: string
    let recipientFile: string
    const adminToken = randomBytes(32).toString('base64url')

    before(async () => {
      out = mkdtempSync(join(tmpdir(), 'custodian-retention-'))
      recipientFile = join(out, 'ops.asc')
      writeFileSync(recipientFile, (await openpgpKey('Ops')).publicKey)
      harness = await buildTestApp({
        dialect,
        startAt: '2026-11-01T00:00:00Z',
        env: {
          CUSTODIAN_BACKUP_DIR: join(out, 'backups'),
          CUSTODIAN_BACKUP_RECIPIENTS: recipientFile,
          CUSTODIAN_BACKUP_TIME: '02:30',
          CUSTODIAN_ADMIN_TOKEN: adminToken,
        },
      })
    })
    after(async () => {
      await harness.close()
      rmSync(out, { recursive: true, force: true })
    })

    async function backUp() {
      const keys = await readRecipientKeys([Buffer.from((await openpgpKey('Other')).publicKey)])
      return createBackup(harness.modules.backup, {
        recipients: keys,
        recipientKeys: await armoredOf(keys),
        actor: system,
      })
    }

    test('backups older than 7 days are deleted, younger ones kept, and the vault with the last', async () => {
      harness.clock.set('2026-11-01T03:00:00Z')
      const old = await backUp()
      harness.clock.set('2026-11-04T03:00:00Z')
      const younger = await backUp()
      // Eight days after the first: it is past the week, the second is four days old.
      harness.clock.set('2026-11-09T03:00:00Z')
      const pruned = await pruneBackups(harness.modules.backup)
      assert.deepEqual(pruned, { deleted: 1, kept: 1, vaultsDestroyed: 0 })
      assert.equal(existsSync(old.file), false)
      assert.equal(existsSync(younger.file), true)
      assert.equal(existsSync(younger.vault.file), true)
      const deleted = await harness.storage.db
        .selectFrom('audit_entries')
        .select('action')
        .where('action', '=', 'backup.deleted')
        .execute()
      assert.equal(deleted.length, 2, 'the old snapshot, and the vault the second backup replaced')

      // Once the last snapshot is past the week, its destination keeps no vault either.
      harness.clock.set(new Date(Date.parse('2026-11-04T03:00:00Z') + 7 * day + 1000))
      const last = await pruneBackups(harness.modules.backup)
      assert.deepEqual(last, { deleted: 1, kept: 0, vaultsDestroyed: 1 })
      assert.equal(existsSync(younger.file), false)
      assert.equal(existsSync(younger.vault.file), false)
    })

    test('the daily job backs up once a day after its time, under the configured directory', async () => {
      harness.clock.set('2026-11-20T02:00:00Z')
      // 02:00: yesterday's run is due (none was made), so it runs now.
      assert.match(await runDailyBackup(harness.modules.backup), /backup of \d+ bytes written/)
      harness.clock.set('2026-11-20T02:20:00Z')
      assert.match(await runDailyBackup(harness.modules.backup), /not due/)
      harness.clock.set('2026-11-20T02:31:00Z')
      assert.match(await runDailyBackup(harness.modules.backup), /backup of \d+ bytes written/)
      // The platform admin's route: the instance's admin token, nothing else.
      const tenant = await createTenant(harness, 'Tenant Ltd')
      for (const headers of [
        {},
        { authorization: `Bearer ${tenant.secretKey}` },
        tenant.owner.headers(),
        { authorization: `Bearer ${adminToken}x` },
      ]) {
        const refused = await harness.app.inject({ url: '/v1/system/backups', headers })
        assert.equal(refused.statusCode, 401, refused.body)
        assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
      }
      const status = await harness.app.inject({
        method: 'GET',
        url: '/v1/system/backups',
        headers: { authorization: `Bearer ${adminToken}` },
      })
      assert.equal(status.statusCode, 200)
      const body = status.json<{ lastGoodAt: string; snapshotsKept: number; scheduled: boolean }>()
      assert.equal(body.lastGoodAt, '2026-11-20T02:31:00.000Z')
      assert.equal(body.snapshotsKept, 2)
      assert.equal(body.scheduled, true)
      harness.clock.set('2026-11-20T03:31:00Z')
      const health = await harness.app.inject({ method: 'GET', url: '/healthz?detail=true' })
      assert.ok(
        health
          .json<{ metrics: string[] }>()
          .metrics.includes('custodian_backup_last_good_age_seconds 3600'),
        health.body,
      )
      const plain = await harness.app.inject({ method: 'GET', url: '/healthz' })
      assert.deepEqual(plain.json(), { status: 'ok' })
    })
  })

  describe(
    `backup destinations outside the region [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      test('a destination declared outside the instance region is refused and audited', async () => {
        const out = mkdtempSync(join(tmpdir(), 'custodian-region-'))
        const harness = await buildTestApp({
          dialect,
          env: { CUSTODIAN_BACKUP_DIR: out, CUSTODIAN_BACKUP_REGION: 'us' },
        })
        try {
          const keys = await readRecipientKeys([Buffer.from((await openpgpKey('Ops')).publicKey)])
          await assert.rejects(
            createBackup(harness.modules.backup, {
              recipients: keys,
              recipientKeys: await armoredOf(keys),
              actor: system,
            }),
            (error: Error & { code?: string }) => error.code === 'transfer_refused',
          )
          const refused = await harness.storage.db
            .selectFrom('audit_entries')
            .select('action')
            .where('action', '=', 'backup.refused')
            .execute()
          assert.equal(refused.length, 1)
        } finally {
          await harness.close()
          rmSync(out, { recursive: true, force: true })
        }
      })

      test('a destination mounted from another host passes the transfer guard, or nothing is written', async () => {
        const out = mkdtempSync(join(tmpdir(), 'custodian-host-'))
        const host = 'vault.storage.example'
        const harness = await buildTestApp({
          dialect,
          env: { CUSTODIAN_BACKUP_DIR: out, CUSTODIAN_BACKUP_HOST: host },
        })
        try {
          const keys = await readRecipientKeys([Buffer.from((await openpgpKey('Ops')).publicKey)])
          const backUp = async () =>
            createBackup(harness.modules.backup, {
              recipients: keys,
              recipientKeys: await armoredOf(keys),
              actor: system,
            })
          // Not registered as one of the instance's sub-processors: refused, nothing written.
          await assert.rejects(
            backUp(),
            (error: Error & { code?: string }) => error.code === 'transfer_refused',
          )
          assert.deepEqual(
            readdirSync(out).filter((name) => name.endsWith('.pgp')),
            [],
          )
          // Registered by the platform admin, in the EEA, with its DPA: allowed.
          await registerSubprocessor(
            harness.modules.transfers,
            { workspaceId: null, actor: system },
            {
              name: 'Vault Storage GmbH',
              service: 'Backup storage',
              dataCategories: ['identifiers', 'contact-profile', 'browsing', 'consent-proof'],
              country: 'DE',
              endpoints: [host],
              dpa: { signedOn: '2026-01-10', reference: 'DPA-VAULT-1' },
              transferMechanism: { type: 'none' },
            },
          )
          const report = await backUp()
          assert.ok(existsSync(report.file))
        } finally {
          await harness.close()
          rmSync(out, { recursive: true, force: true })
        }
      })
    },
  )
}
