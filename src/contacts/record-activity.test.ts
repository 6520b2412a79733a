import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { before, test } from 'node:test'
import type { Database } from '../storage/index.js'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { insertContacts } from './contacts.repository.js'
import type { ContactsTable } from './contacts.table.js'
import { recordContactActivity } from './record-activity.js'

const created = '2026-01-01T00:00:00.000Z'

async function addWorkspace(db: Database, id: string): Promise<void> {
  await db
    .insertInto('workspaces')
    .values({
      id,
      name: id,
      region: 'eu',
      settings: '{}',
      created_at: created,
      updated_at: created,
    })
    .execute()
}

/** A contact row as stored; the profile is opaque here (only the activity is read). */
function contactRow(
  workspaceId: string,
  id: string,
  externalIdIndex: Buffer,
  lastActivityAt: string | null = null,
): ContactsTable {
  return {
    id,
    workspace_id: workspaceId,
    subject_id: id,
    email_index: null,
    external_id_index: externalIdIndex,
    profile: Buffer.from('sealed elsewhere'),
    last_activity_at: lastActivityAt,
    created_at: created,
    updated_at: created,
  }
}

async function lastActivity(db: Database, id: string): Promise<string | null> {
  const row = await db
    .selectFrom('contacts')
    .select('last_activity_at')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  return row.last_activity_at
}

describeEachDialect('recording contact activity', (context) => {
  const index = { ada: randomBytes(32), bo: randomBytes(32), shared: randomBytes(32) }

  before(async () => {
    const { db } = context.storage()
    await addWorkspace(db, 'ws-a')
    await addWorkspace(db, 'ws-b')
    await insertContacts(db, [
      contactRow('ws-a', 'ada', index.ada),
      contactRow('ws-a', 'bo', index.bo, '2026-03-01T00:00:00.000Z'),
      contactRow('ws-a', 'shared-a', index.shared),
      // Blind indexes are keyed per workspace, so two never share one; if they did, the
      // statement must still keep to the workspace each row names.
      contactRow('ws-b', 'shared-b', index.shared, '2026-01-15T00:00:00.000Z'),
    ])
  })

  test('each contact takes the latest of its times, and never goes backwards', async () => {
    const { db } = context.storage()
    const seen = (externalIdIndex: Buffer, at: string) => ({
      workspaceId: 'ws-a',
      externalIdIndex,
      at: new Date(at),
    })
    await recordContactActivity(db, [
      seen(index.ada, '2026-02-01T10:00:00.000Z'),
      seen(index.ada, '2026-02-03T10:00:00.000Z'),
      seen(index.ada, '2026-02-02T10:00:00.000Z'),
      seen(index.bo, '2026-02-05T10:00:00.000Z'),
    ])
    assert.equal(await lastActivity(db, 'ada'), '2026-02-03T10:00:00.000Z')
    assert.equal(await lastActivity(db, 'bo'), '2026-03-01T00:00:00.000Z')
    await recordContactActivity(db, [seen(index.ada, '2026-02-01T12:00:00.000Z')])
    assert.equal(await lastActivity(db, 'ada'), '2026-02-03T10:00:00.000Z')
  })

  test('a contact of another workspace with the same blind index is untouched', async () => {
    const { db } = context.storage()
    await recordContactActivity(db, [
      { workspaceId: 'ws-a', externalIdIndex: index.shared, at: new Date('2026-04-01T00:00:00Z') },
    ])
    assert.equal(await lastActivity(db, 'shared-a'), '2026-04-01T00:00:00.000Z')
    assert.equal(await lastActivity(db, 'shared-b'), '2026-01-15T00:00:00.000Z')
  })

  test('more contacts than one statement binds all move', async () => {
    const { db } = context.storage()
    const many = Array.from({ length: 1_201 }, (_, n) => ({
      id: `many-${n}`,
      index: randomBytes(32),
    }))
    await insertContacts(
      db,
      many.map((contact) => contactRow('ws-a', contact.id, contact.index)),
    )
    await recordContactActivity(
      db,
      many.map((contact) => ({
        workspaceId: 'ws-a',
        externalIdIndex: contact.index,
        at: new Date('2026-05-01T00:00:00Z'),
      })),
    )
    const moved = await db
      .selectFrom('contacts')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', 'ws-a')
      .where('id', 'like', 'many-%')
      .where('last_activity_at', '=', '2026-05-01T00:00:00.000Z')
      .executeTakeFirstOrThrow()
    assert.equal(Number(moved.count), many.length)
  })
})
