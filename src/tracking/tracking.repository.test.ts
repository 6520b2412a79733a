import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { insertEvents, selectEventsOfPerson } from './tracking.repository.js'
import type { TrackingEventsTable } from './tracking.table.js'

const workspaceId = 'ws-person-read'
const otherWorkspaceId = 'ws-person-other'
const anonymousIndex = Buffer.alloc(32, 1)

function row(
  id: string,
  subjectId: string,
  receivedAt: string,
  workspace = workspaceId,
): TrackingEventsTable {
  return {
    workspace_id: workspace,
    id,
    type: 'page',
    subject_id: subjectId,
    anonymous_index: subjectId === 'subject-anonymous' ? anonymousIndex : null,
    external_index: null,
    occurred_at: receivedAt,
    received_at: receivedAt,
    browser: null,
    browser_version: null,
    os: null,
    device: 'unknown',
    country: null,
    sealed: Buffer.from([1]),
  }
}

describeEachDialect('reading one person’s events', (context) => {
  test('a person linked from more subjects than a statement has parameters is one read, paged in order', async () => {
    const { db } = context.storage()
    for (const id of [workspaceId, otherWorkspaceId]) {
      await db
        .insertInto('workspaces')
        .values({
          id,
          name: id,
          region: 'eu',
          settings: '{}',
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        })
        .execute()
    }
    await insertEvents(db, [
      row('e1', 'subject-anonymous', '2026-01-01T00:00:01.000Z'),
      row('e2', 'subject-contact', '2026-01-01T00:00:02.000Z'),
      row('e3', 'subject-contact', '2026-01-01T00:00:02.000Z'),
      row('e4', 'subject-someone-else', '2026-01-01T00:00:03.000Z'),
      row('e5', 'subject-contact', '2026-01-01T00:00:04.000Z', otherWorkspaceId),
    ])
    // 70,000 ids: past SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
    const subjectIds = Array.from({ length: 70_000 }, (_, n) => `subject-linked-${n}`)
    subjectIds.push('subject-contact')
    const person = { column: 'anonymous_index' as const, index: anonymousIndex, subjectIds }
    const first = await selectEventsOfPerson(db, workspaceId, person, { limit: 2 })
    assert.deepEqual(
      first.map((event) => event.id),
      ['e3', 'e2'],
    )
    const last = first.at(-1)
    assert.ok(last)
    const rest = await selectEventsOfPerson(db, workspaceId, person, {
      limit: 2,
      before: { receivedAt: last.received_at, id: last.id },
    })
    assert.deepEqual(
      rest.map((event) => event.id),
      ['e1'],
    )
    const byIndexAlone = await selectEventsOfPerson(
      db,
      workspaceId,
      { ...person, subjectIds: [] },
      { limit: 10 },
    )
    assert.deepEqual(
      byIndexAlone.map((event) => event.id),
      ['e1'],
    )
  })
})
