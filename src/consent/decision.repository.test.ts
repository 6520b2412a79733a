import assert from 'node:assert/strict'
import { test } from 'node:test'
import { padToSizeClass } from './decision.repository.js'

test('batch chunks are padded to a few size classes with the filler, keeping their values', () => {
  const sizes = [1, 2, 3, 5, 9, 100, 129, 256, 257, 499, 500].map((length) => {
    const chunk = Array.from({ length }, (_, index) => `id-${String(index)}`)
    const padded = padToSizeClass(chunk, '')
    assert.deepEqual(padded.slice(0, length), chunk)
    assert.ok(padded.slice(length).every((value) => value === ''))
    return padded.length
  })
  assert.deepEqual(sizes, [1, 2, 4, 8, 16, 128, 256, 256, 500, 500, 500])
})
