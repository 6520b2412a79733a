import assert from 'node:assert/strict'
import { test } from 'node:test'
import { migrations } from './migrations/index.js'

test('every migration can be undone, and the names sort in the order they must run', () => {
  const names = Object.keys(migrations)
  // Kysely runs them by name and refuses a database whose applied ones are out of order;
  // a migration without `down` stays applied when an older schema is asked for.
  assert.deepEqual(names, [...names].sort())
  for (const [name, migration] of Object.entries(migrations)) {
    assert.equal(typeof migration.down, 'function', `${name} has no down`)
  }
})
