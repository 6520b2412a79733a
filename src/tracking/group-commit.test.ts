import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeEachDialect } from '../storage/testing/dialects.js'
import { createEventWriter } from './group-commit.js'
import type { TrackingEventsTable } from './tracking.table.js'

const workspaceId = 'ws-group-commit'

function row(id: string, workspace = workspaceId): TrackingEventsTable {
  return {
    workspace_id: workspace,
    id,
    type: 'track',
    subject_id: 'subject-1',
    anonymous_index: null,
    external_index: null,
    occurred_at: '2026-01-01T00:00:00.000Z',
    received_at: '2026-01-01T00:00:00.000Z',
    browser: null,
    browser_version: null,
    os: null,
    device: 'unknown',
    country: null,
    sealed: Buffer.from([1, 2, 3]),
  }
}

describeEachDialect('tracking group commit', (context) => {
  test('concurrent requests share one transaction and each learns which rows were new', async () => {
    const { db } = context.storage()
    await db
      .insertInto('workspaces')
      .values({
        id: workspaceId,
        name: 'Group commit',
        region: 'eu',
        settings: '{}',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      })
      .execute()
    const writer = createEventWriter(db)
    const requests = Array.from({ length: 10 }, (_, request) =>
      Array.from({ length: 5 }, (_, index) => row(`r${request}-e${index}`)),
    )
    // Request 9 replays request 0's first event: only one of them is new.
    requests[9]?.push(row('r0-e0'))
    const answers = await Promise.all(requests.map((rows) => writer.write(rows)))
    assert.equal(writer.stats().commits, 1)
    assert.equal(writer.stats().rows, 50)
    assert.deepEqual(answers[0], [true, true, true, true, true])
    assert.deepEqual(answers[9], [true, true, true, true, true, false])
    const stored = await db
      .selectFrom('tracking_events')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow()
    assert.equal(Number(stored.count), 50)
    await writer.close()
  })

  test("one request's bad row fails that request only; the others of its group are written", async () => {
    const { db } = context.storage()
    const writer = createEventWriter(db)
    const results = await Promise.allSettled([
      writer.write([row('good-1')]),
      writer.write([row('bad-1', 'no-such-workspace')]),
      writer.write([row('good-2')]),
    ])
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    const ids = await db
      .selectFrom('tracking_events')
      .select('id')
      .where('id', 'in', ['good-1', 'good-2', 'bad-1'])
      .execute()
    assert.deepEqual(ids.map((item) => item.id).sort(), ['good-1', 'good-2'])
    await writer.close()
  })

  test('close waits for queued rows and refuses later writes', async () => {
    const { db } = context.storage()
    const writer = createEventWriter(db)
    const pending = writer.write([row('late-1'), row('late-2')])
    await writer.close()
    assert.deepEqual(await pending, [true, true])
    await assert.rejects(writer.write([row('after-close')]), /closed/)
  })
})
