import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { LruCache } from './lru.js'

describe('LRU cache', () => {
  test('holds at most its capacity, forgetting the least recently used first', () => {
    const evicted: string[] = []
    const cache = new LruCache<string, number>(2, (key) => evicted.push(key))
    cache.set('a', 1)
    cache.set('b', 2)
    assert.equal(cache.get('a'), 1) // 'a' is now the most recent
    cache.set('c', 3)
    assert.equal(cache.size, 2)
    assert.equal(cache.get('b'), undefined)
    assert.deepEqual(evicted, ['b'])
    assert.equal(cache.get('a'), 1)
    assert.equal(cache.get('c'), 3)
  })

  test('delete and clear report every dropped entry', () => {
    const evicted: string[] = []
    const cache = new LruCache<string, number>(3, (key) => evicted.push(key))
    cache.set('a', 1)
    cache.set('b', 2)
    assert.equal(cache.delete('a'), true)
    assert.equal(cache.delete('a'), false)
    cache.clear()
    assert.deepEqual(evicted, ['a', 'b'])
    assert.equal(cache.size, 0)
  })

  test('a capacity below one is refused', () => {
    assert.throws(() => new LruCache(0), RangeError)
  })
})
