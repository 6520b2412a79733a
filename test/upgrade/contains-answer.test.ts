import assert from 'node:assert/strict'
import { test } from 'node:test'
import { missingFrom } from './contains-answer.js'

test('an answer with every old field and element, and more, lacks nothing', () => {
  const old = { id: 'a', flags: { gpc: true }, history: [{ seq: 1 }, { seq: 3 }] }
  const now = {
    id: 'a',
    added: 1,
    flags: { gpc: true, child: false },
    history: [{ seq: 1 }, { seq: 2 }, { seq: 3 }],
  }
  assert.deepEqual(missingFrom(old, now), [])
})

test('a changed value, a gone field and a lost element are each named by path', () => {
  assert.deepEqual(missingFrom({ a: { b: 1 } }, { a: { b: 2 } }), ['$.a.b: 1, now 2'])
  assert.deepEqual(missingFrom({ a: 1, b: null }, { a: 1 }), ['$.b: gone'])
  const lost = missingFrom({ list: [{ seq: 1 }, { seq: 2 }] }, { list: [{ seq: 1 }] })
  assert.equal(lost.length, 1)
  assert.match(lost[0] ?? '', /^\$\.list\[1\] is not found/)
})

test('elements must keep their order, and types must match', () => {
  assert.equal(missingFrom([1, 2], [2, 1]).length, 1)
  assert.deepEqual(missingFrom({ a: [1] }, { a: { 0: 1 } }), ['$.a: an array, now {"0":1}'])
  assert.deepEqual(missingFrom({ a: 1 }, { a: '1' }), ['$.a: 1, now "1"'])
})
