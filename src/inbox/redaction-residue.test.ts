import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

/**
 * What a redaction leaves behind, and why it cannot be read. On PostgreSQL the UPDATE
 * that replaces a message's body and the DELETE that destroys its own key leave the
 * old tuples (the sealed original, the wrapped key) in the tables' pages under MVCC
 * until VACUUM; on SQLite `inErasingTransaction` zeroes them at once (inbox.routes.test
 * scans the file and WAL). On both, the sealed original, taken as a copy before the
 * redaction (as a dead tuple, a replica or a backup would keep it), opens under no key
 * the instance still holds; and on PostgreSQL the inbox's job vacuums both tables.
 */
for (const dialect of testDialects) {
  describe(`what a redaction leaves [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Residue Co')
    })
    after(async () => harness.close())

    const call = (method: 'POST' | 'GET', url: string, payload?: object) =>
      harness.app.inject({
        method,
        url,
        headers: bearer(tenant.secretKey),
        ...(payload ? { payload } : {}),
      })

    test('a copy of the sealed original opens under no key the instance holds after the redaction', async () => {
      const contact = await call('POST', '/v1/contacts', { email: 'residue@example.com' })
      const conversation = await call('POST', '/v1/conversations', {
        contactId: contact.json<{ id: string }>().id,
      })
      const posted = await call(
        'POST',
        `/v1/conversations/${conversation.json<{ id: string }>().id}/messages`,
        { body: 'Card on file: 4111 1111 1111 1111', from: 'operator' },
      )
      const messageId = posted.json<{ id: string }>().id
      const original = await harness.storage.db
        .selectFrom('inbox_messages')
        .select(['body', 'body_key_id', 'subject_id'])
        .where('id', '=', messageId)
        .executeTakeFirstOrThrow()
      const cellUnder = (workspaceId: string, subjectId: string) => ({
        workspaceId,
        subjectId,
        table: 'inbox_messages',
        column: 'body',
        rowId: messageId,
      })
      // The control: before the redaction the copy opens, under the body's own key.
      assert.match(
        await harness.keyring.openText(
          cellUnder(tenant.workspaceId, original.body_key_id),
          original.body,
        ),
        /4111 1111 1111 1111/,
      )
      const redacted = await call('POST', `/v1/messages/${messageId}/redactions`, {})
      assert.equal(redacted.statusCode, 200, redacted.body)

      // Every key the instance holds: each subject's key of every workspace, and the
      // body's own holder (now destroyed).
      const holders = await harness.storage.db
        .selectFrom('subject_keys')
        .select(['workspace_id', 'subject_id'])
        .distinct()
        .execute()
      assert.ok(
        holders.some((holder) => holder.subject_id === original.subject_id),
        'the person’s own key is still held',
      )
      assert.ok(
        !holders.some((holder) => holder.subject_id === original.body_key_id),
        'the body’s own key is not',
      )
      for (const holder of [
        ...holders,
        { workspace_id: tenant.workspaceId, subject_id: original.body_key_id },
      ]) {
        await assert.rejects(
          harness.keyring.openText(
            cellUnder(holder.workspace_id, holder.subject_id),
            original.body,
          ),
          `opened under ${holder.subject_id}`,
        )
      }
    })

    test("the inbox's job vacuums the tables a redaction leaves dead tuples in on PostgreSQL; SQLite needs nothing", async () => {
      const job = harness.modules.jobs.find((item) => item.name === 'inbox-reclaim-shredded')
      assert.ok(job, 'the job is one of the modules’ jobs')
      const summary = await job.run()
      if (dialect === 'sqlite') {
        assert.match(summary, /nothing to do/)
        return
      }
      assert.match(summary, /vacuumed/)
      const vacuumed = await sql<{ relname: string; last_vacuum: Date | null }>`
        select relname, last_vacuum from pg_stat_user_tables
        where schemaname = current_schema() and relname in ('inbox_messages', 'subject_keys')
        order by relname`.execute(harness.storage.db)
      assert.deepEqual(
        vacuumed.rows.map((row) => [row.relname, row.last_vacuum !== null]),
        [
          ['inbox_messages', true],
          ['subject_keys', true],
        ],
      )
    })
  })
}
