import assert from 'node:assert/strict'
import { test } from 'node:test'
import { attributeTypeOf, checkAttributeTypes, mergeAttributes } from './contacts.logic.js'

test('attribute types: string, number, boolean, and ISO 8601 dates', () => {
  assert.equal(attributeTypeOf('pro'), 'string')
  assert.equal(attributeTypeOf(42), 'number')
  assert.equal(attributeTypeOf(false), 'boolean')
  assert.equal(attributeTypeOf('2026-03-01'), 'date')
  assert.equal(attributeTypeOf('2026-03-01T10:00:00Z'), 'date')
  assert.equal(attributeTypeOf('2026-13-45'), 'string')
})

test('a value must match the type its attribute already has', () => {
  const known = new Map([
    ['plan', 'string'],
    ['seats', 'number'],
    ['signed_up_at', 'date'],
  ] as const)
  const check = checkAttributeTypes(
    { plan: 'pro', seats: 'ten', signed_up_at: 'soon', beta: true },
    known,
  )
  assert.deepEqual(check.newTypes, { beta: 'boolean' })
  assert.deepEqual(check.mismatches, [
    { name: 'seats', expected: 'number', got: 'string' },
    { name: 'signed_up_at', expected: 'date', got: 'string' },
  ])
})

test('a date may be stored under a string attribute; null values are not typed', () => {
  const check = checkAttributeTypes(
    { note: '2026-01-01', gone: null },
    new Map([['note', 'string']]),
  )
  assert.deepEqual(check, { newTypes: {}, mismatches: [] })
})

test('merging sets values and removes attributes given null', () => {
  assert.deepEqual(mergeAttributes({ a: 1, b: 'x' }, { b: null, c: true }), { a: 1, c: true })
})
