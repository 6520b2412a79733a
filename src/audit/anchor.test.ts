import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { runDetectionPass } from '../breach/index.js'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { runRetention } from '../retention/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

const day = 86_400_000

/**
 * The audit log's retention: the oldest entries go as a prefix, the chain is anchored
 * where they end, and it still verifies end to end; what the anchor does not cover
 * cannot be deleted, and a forged anchor is caught.
 */
for (const dialect of testDialects) {
  describe(
    `audit retention keeps the chain verifiable [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({
          dialect,
          startAt: '2026-01-01T00:00:00Z',
          env: { CUSTODIAN_AUDIT_RETENTION_DAYS: '400' },
        })
        tenant = await createTenant(harness, 'Anchor Ltd')
      })
      after(async () => harness.close())

      const entries = async () => {
        const row = await harness.storage.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        return Number(row.count)
      }
      const contact = async (email: string) => {
        const made = await harness.app.inject({
          method: 'POST',
          url: '/v1/contacts',
          headers: bearer(tenant.secretKey),
          payload: { email },
        })
        assert.equal(made.statusCode, 201, made.body)
      }

      test('a purge removes exactly the expired prefix and the chain verifies from its anchor', async () => {
        // Detection reads from here; the purge will pass its cursor by.
        await runDetectionPass(harness.modules.breach)
        await contact('first@example.org')
        await harness.audit.flush()
        const early = await entries()
        harness.clock.advance(200 * day)
        await contact('second@example.org')
        await harness.audit.flush()
        const total = await entries()
        harness.clock.advance(201 * day)

        const preview = await runRetention(harness.modules.retention, { dryRun: true })
        assert.equal(preview.find((outcome) => outcome.rule === 'audit-entries')?.rows, early)
        const ran = await runRetention(harness.modules.retention, { batchSize: 3 })
        const purged = ran.find((outcome) => outcome.rule === 'audit-entries')
        assert.ok(purged)
        assert.equal(purged.rows, early)
        assert.ok(purged.batches > 1, 'in batches')
        await harness.audit.flush()
        // What is left: the later entries and the retention run's own.
        assert.ok((await entries()) >= total - early)

        const report = await harness.audit.verify()
        assert.equal(report.ok, true, JSON.stringify(report.firstBroken))
        assert.equal(report.anchor?.seq, early)
        assert.equal(report.entries, report.head.seq - early)

        // Detection reads on from the anchor: no alert for a chain that still holds.
        const pass = await runDetectionPass(harness.modules.breach)
        assert.deepEqual(
          pass.alerts.map((alert) => alert.rule),
          [],
        )
      })

      test('an entry the anchor does not cover cannot be deleted', async () => {
        const anchor = await harness.storage.db
          .selectFrom('audit_anchor')
          .select('seq')
          .executeTakeFirstOrThrow()
        await assert.rejects(
          harness.storage.db
            .deleteFrom('audit_entries')
            .where('seq', '=', Number(anchor.seq) + 1)
            .execute(),
          /append-only/,
        )
        await assert.rejects(
          harness.storage.db
            .updateTable('audit_anchor')
            .set({ seq: Number(anchor.seq) - 1 })
            .execute(),
          /only moves forward/,
        )
      })

      test('an anchor moved without the master key is caught by verification', async () => {
        const anchor = await harness.storage.db
          .selectFrom('audit_anchor')
          .selectAll()
          .executeTakeFirstOrThrow()
        const next = await harness.storage.db
          .selectFrom('audit_entries')
          .select(['seq', 'id', 'hash'])
          .where('seq', '=', Number(anchor.seq) + 1)
          .executeTakeFirstOrThrow()
        // Someone with the database but not the key hides one more entry.
        await harness.storage.db
          .updateTable('audit_anchor')
          .set({ seq: Number(next.seq), last_id: next.id, hash: next.hash })
          .execute()
        await sql`delete from audit_entries where seq = ${next.seq}`.execute(harness.storage.db)
        const report = await harness.audit.verify()
        assert.equal(report.ok, false)
        assert.equal(report.firstBroken?.reason, 'anchor seal invalid')
        const pass = await runDetectionPass(harness.modules.breach)
        assert.deepEqual(
          pass.alerts.map((alert) => alert.rule),
          ['audit-chain'],
        )
      })
    },
  )
}
