import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { findJsonFlaw, maxJsonDepth, safeFieldPath } from './json-bounds.js'

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf
  for (let level = 0; level < depth; level += 1) value = { a: value }
  return value
}

describe('JSON bounds', () => {
  test('a value within the bounds has no flaw', () => {
    assert.equal(findJsonFlaw({ a: [1, 'two', null, true, { b: 2.5 }] }), undefined)
    assert.equal(findJsonFlaw(nested(maxJsonDepth - 1)), undefined)
  })

  test('nesting beyond the bound is found without recursion, however deep', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown
    assert.equal(findJsonFlaw(deep)?.flaw, 'too_deep')
    const finding = findJsonFlaw({ ok: 1, properties: nested(maxJsonDepth + 5) })
    assert.ok(finding)
    assert.equal(finding.flaw, 'too_deep')
    assert.deepEqual(finding.path.slice(0, 2), ['properties', 'a'])
  })

  test('a number out of double range is found with its path', () => {
    const parsed = JSON.parse('{"attributes":{"score":1e309}}') as unknown
    assert.deepEqual(findJsonFlaw(parsed), { flaw: 'not_finite', path: ['attributes', 'score'] })
    assert.deepEqual(findJsonFlaw(JSON.parse('[1,[-1e400]]')), {
      flaw: 'not_finite',
      path: [1, 0],
    })
  })

  test('prototype-poisoning keys are refused', () => {
    assert.equal(findJsonFlaw(JSON.parse('{"a":{"__proto__":{"x":1}}}'))?.flaw, 'forbidden_key')
    assert.equal(
      findJsonFlaw(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))?.flaw,
      'forbidden_key',
    )
    assert.equal(findJsonFlaw({ constructor: 'a plain field' }), undefined)
  })

  test('a field path shows plain names and hides any other as {name}', () => {
    assert.equal(safeFieldPath(['attributes', 'score_2', 0]), 'attributes.score_2.0')
    assert.equal(safeFieldPath(['<img src=x onerror=alert(1)>', 'a b']), '{name}.{name}')
    assert.equal(safeFieldPath(['x'.repeat(65)]), '{name}')
  })
})
