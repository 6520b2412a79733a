import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../clock.js'
import { ensureInstance } from './instance.js'
import { migrateToLatest } from './migrate.js'
import { describeEachDialect } from './testing/dialects.js'

describeEachDialect('storage', (context) => {
  test('migrations are applied once and re-running them changes nothing', async () => {
    const report = await migrateToLatest(context.storage())
    assert.deepEqual(report.applied, [])
    assert.ok(report.current.includes('0001_instance'))
  })

  test('the instance identity is made once and its region is kept', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z')
    const first = await ensureInstance(context.storage().db, clock, 'eu')
    clock.advance(60_000)
    const second = await ensureInstance(context.storage().db, clock, 'us')
    assert.equal(second.id, first.id)
    assert.equal(second.region, 'eu')
    assert.equal(second.createdAt, '2026-03-01T10:00:00.000Z')
  })

  test('concurrent first starts still make a single instance row', async () => {
    const clock = new ManualClock()
    const db = context.storage().db
    await db.deleteFrom('instance').execute()
    const made = await Promise.all([1, 2, 3, 4].map(() => ensureInstance(db, clock, 'eu')))
    assert.equal(new Set(made.map((instance) => instance.id)).size, 1)
    const rows = await db.selectFrom('instance').select('id').execute()
    assert.equal(rows.length, 1)
  })
})
