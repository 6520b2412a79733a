import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { describePostgres, openTestStorage } from './testing/dialects.js'

describePostgres('PostgreSQL catalogue reads', (context) => {
  test('list the tables of the schema in use and no other schema’s', async () => {
    const other = await openTestStorage('postgres')
    try {
      // A table only the other schema has, with a column its owner may drop at any time.
      await sql`create table elsewhere_only (id serial primary key, note text)`.execute(
        other.storage.db,
      )
      const mine = await context.storage().db.introspection.getTables()
      const names = mine.map((table) => table.name)
      assert.ok(names.includes('consent_events'))
      assert.ok(!names.includes('elsewhere_only'))
      assert.ok(!names.includes('kysely_migration'), 'Kysely’s own tables only when asked')
      assert.deepEqual(
        new Set(mine.map((table) => table.schema)),
        new Set([context.storage().schema]),
      )
      const events = mine.find((table) => table.name === 'consent_events')
      const terms = events?.columns.find((column) => column.name === 'purpose_terms_sha256')
      assert.deepEqual(terms, {
        name: 'purpose_terms_sha256',
        dataType: 'text',
        dataTypeSchema: 'pg_catalog',
        isNullable: true,
        hasDefaultValue: false,
        isAutoIncrementing: false,
      })

      const theirs = await other.storage.db.introspection.getTables({
        withInternalKyselyTables: true,
      })
      const serial = theirs.find((table) => table.name === 'elsewhere_only')?.columns[0]
      assert.equal(serial?.isAutoIncrementing, true)
      assert.ok(theirs.some((table) => table.name === 'kysely_migration'))
    } finally {
      await other.cleanup()
    }
  })
})
