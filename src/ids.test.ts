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

test('the first 48 bits are the creation time in milliseconds, big-endian', () => {
  // 2^40 + 2^16 + 1 ms exercises both halves the time is written in.
  const ms = 2 ** 40 + 2 ** 16 + 1
  const id = newId(new Date(ms))
  assert.equal(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16), ms)
  const now = Date.parse('2026-11-23T03:00:00.123Z')
  assert.equal(Number.parseInt(newId(new Date(now)).replaceAll('-', '').slice(0, 12), 16), now)
})
