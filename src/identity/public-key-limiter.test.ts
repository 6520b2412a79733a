import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPublicKeyLimiter } from './public-key-limiter.js'

test('a burst is let in, then the sustained rate, per address and key', () => {
  let now = 0
  const limiter = createPublicKeyLimiter({ perSecond: 2, burst: 5 }, () => now)
  const taken = Array.from({ length: 7 }, () => limiter.take('key|203.0.113.1'))
  assert.deepEqual(taken.slice(0, 5), [undefined, undefined, undefined, undefined, undefined])
  assert.equal(taken[5], 1, 'the sixth waits: one token comes back in half a second')
  assert.equal(limiter.take('key|203.0.113.2'), undefined, 'another address has its own bucket')
  assert.equal(limiter.take('other|203.0.113.1'), undefined, 'and so has another key')
  now += 500
  assert.equal(limiter.take('key|203.0.113.1'), undefined, 'one token after half a second')
  assert.notEqual(limiter.take('key|203.0.113.1'), undefined)
  now += 60_000
  const refilled = Array.from({ length: 6 }, () => limiter.take('key|203.0.113.1'))
  assert.equal(refilled.filter((wait) => wait === undefined).length, 5, 'never more than the burst')
})
