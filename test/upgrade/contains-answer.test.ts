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

test('a reassignable id may change, but each old id always to the same new one', () => {
  const reassignments = { fields: new Set(['subjectId']), seen: new Map<string, string>() }
  const old = { subjectId: 's1', history: [{ subjectId: 's1' }, { subjectId: 's2' }] }
  // Two old subjects found to be one person: both become n1.
  const merged = { subjectId: 'n1', history: [{ subjectId: 'n1' }, { subjectId: 'n1' }] }
  assert.deepEqual(missingFrom(old, merged, reassignments), [])
  assert.deepEqual(missingFrom({ subjectId: 's1' }, { subjectId: 'n9' }, reassignments), [
    '$.subjectId: "s1" became "n1" elsewhere, here "n9"',
  ])
  assert.equal(missingFrom({ id: 'a' }, { id: 'b' }, reassignments).length, 1, 'not reassignable')
})

test('ids seen while looking for a matching element count only once it matches', () => {
  const reassignments = { fields: new Set(['subjectId']), seen: new Map<string, string>() }
  const old = [{ subjectId: 's1', seq: 2 }]
  const now = [
    { subjectId: 'wrong', seq: 1 },
    { subjectId: 'n1', seq: 2 },
  ]
  assert.deepEqual(missingFrom(old, now, reassignments), [])
  assert.deepEqual([...reassignments.seen], [['s1', 'n1']])
})
