import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isId, newId } from './ids.js'

test('ids are version 7 UUIDs with the RFC 9562 variant', () => {
  const id = newId()
  assert.ok(isId(id))
  assert.equal(id[14], '7')
  assert.match(id[19] ?? '', /[89ab]/)
})

test('ids sort by creation time', () => {
  const earlier = newId(new Date('2026-01-01T00:00:00Z'))
  const later = newId(new Date('2026-01-01T00:00:00.001Z'))
  assert.ok(earlier < later)
})

test('ids are unique across many draws', () => {
  const now = new Date()
  const ids = new Set(Array.from({ length: 10_000 }, () => newId(now)))
  assert.equal(ids.size, 10_000)
})

test('isId refuses anything that is not a UUID', () => {
  for (const value of ['', 'abc', "1' OR '1'='1", `${newId()}x`]) assert.equal(isId(value), false)
})
