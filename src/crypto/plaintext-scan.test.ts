import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { binaryColumnType } from '../storage/index.js'
import type { Storage } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { openTestKeyring } from './testing/keyring.js'

/**
 * The promise of DESIGN principle 1, tested the way an attacker with a copy of the
 * database would look: every byte of the SQLite file and its WAL, every row of every
 * table on PostgreSQL, searched for the personal data that went in.
 */
interface ScanContactsTable {
  id: string
  workspace_id: string
  subject_id: string
  email: Buffer
  email_index: Buffer
  name: Buffer
  ip: Buffer
  message: Buffer
}

const people = Array.from({ length: 40 }, (_, i) => ({
  id: `contact_${String(i).padStart(3, '0')}`,
  email: `Person.Number${i}@Scan-Example.org`,
  name: `Firstname${i} Lastname-Zebulon${i}`,
  ip: i % 2 === 0 ? `203.0.113.${i + 10}` : `2001:db8::${(i + 4096).toString(16)}`,
  message: `Please call me back about invoice ${9000 + i}, my diagnosis is confidential`,
}))
const plaintexts = people.flatMap((person) => [
  person.email,
  person.email.toLowerCase(),
  person.name,
  person.ip,
  person.message,
])
const control = 'control-canary-in-clear@scan-example.org'

async function createScratchTables(storage: Storage): Promise<void> {
  const binary = binaryColumnType(storage.db)
  await storage.db.schema
    .createTable('scan_contacts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('workspace_id', 'text', (column) => column.notNull())
    .addColumn('subject_id', 'text', (column) => column.notNull())
    .addColumn('email', binary, (column) => column.notNull())
    .addColumn('email_index', binary, (column) => column.notNull())
    .addColumn('name', binary, (column) => column.notNull())
    .addColumn('ip', binary, (column) => column.notNull())
    .addColumn('message', binary, (column) => column.notNull())
    .execute()
  await storage.db.schema
    .createIndex('scan_contacts_email')
    .on('scan_contacts')
    .columns(['workspace_id', 'email_index'])
    .execute()
  // The positive control: a value stored in clear, which the scan must find.
  await sql`create table scan_control (note text not null)`.execute(storage.db)
  await sql`insert into scan_control (note) values (${control})`.execute(storage.db)
}

describeEachDialect('plaintext scan', (context) => {
  test('no email, name, IP or message is readable in the stored bytes; lookup by email works', async () => {
    const storage = context.storage()
    await createScratchTables(storage)
    const { keyring } = await openTestKeyring(storage)
    const db = storage.db.withTables<{ scan_contacts: ScanContactsTable }>()
    const workspaceId = 'ws_scan'
    const sealers = await keyring.sealersFor(
      workspaceId,
      people.map((person) => person.id),
    )
    const rows: ScanContactsTable[] = []
    for (const person of people) {
      const sealer = sealers.get(person.id)
      assert.ok(sealer)
      const field = (column: string) => ({ table: 'scan_contacts', column, rowId: person.id })
      rows.push({
        id: person.id,
        workspace_id: workspaceId,
        subject_id: person.id,
        email: sealer.seal(field('email'), person.email),
        email_index: await keyring.blindIndex(workspaceId, 'email', person.email),
        name: sealer.seal(field('name'), person.name),
        ip: sealer.seal(field('ip'), person.ip),
        message: sealer.seal(field('message'), person.message),
      })
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('scan_contacts').values(rows).execute()
    })

    const stored = await dumpStore(storage)
    // The scan sees the data: the clear control value and the sealed bytes are there.
    assert.ok(
      stored.includes(Buffer.from(control, 'utf8')),
      'the scan must find the clear control value',
    )
    const firstSealed = rows[0]?.message
    assert.ok(firstSealed)
    const sealedVisible =
      context.dialect === 'sqlite'
        ? firstSealed
        : Buffer.from(firstSealed.toString('hex'), 'latin1')
    assert.ok(stored.includes(sealedVisible), 'the scan must see the sealed bytes')
    for (const text of plaintexts) {
      for (const encoded of encodingsOf(text)) {
        assert.ok(!stored.includes(encoded), `found personal data in clear: ${text}`)
      }
    }

    const target = people[17]
    assert.ok(target)
    const index = await keyring.blindIndex(workspaceId, 'email', `  ${target.email.toUpperCase()} `)
    const found = await db
      .selectFrom('scan_contacts')
      .select(['id', 'subject_id', 'email'])
      .where('workspace_id', '=', workspaceId)
      .where('email_index', '=', index)
      .execute()
    assert.equal(found.length, 1)
    const hit = found[0]
    assert.ok(hit)
    assert.equal(hit.id, target.id)
    const cell = {
      workspaceId,
      subjectId: hit.subject_id,
      table: 'scan_contacts',
      column: 'email',
      rowId: hit.id,
    }
    assert.equal(await keyring.openText(cell, hit.email), target.email)
    await keyring.close()
  })
})
