import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from '../errors.js'
import { HashSlots } from './hash-slots.js'
import { hashPassword, verifyPassword } from './passwords.js'

const cheap = { logN: 10, r: 8, p: 1 }

/** A promise and the function that settles it: work the test lets finish when it chooses. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

test('twelve concurrent hashes never run more than the limit at once', async () => {
  const slots = new HashSlots({ limit: 3, maxWaiting: 20 })
  const seen: number[] = []
  const gates = Array.from({ length: 12 }, () => gate())
  const work = gates.map((each) =>
    slots.run(async () => {
      seen.push(slots.running)
      await each.opened
    }),
  )
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual([slots.running, slots.waiting], [3, 9])
  for (const each of gates) {
    each.open()
    await new Promise((resolve) => setImmediate(resolve))
  }
  await Promise.all(work)
  assert.equal(seen.length, 12)
  assert.ok(Math.max(...seen) <= 3, `at most 3 at once, saw ${Math.max(...seen)}`)
  assert.deepEqual([slots.running, slots.waiting], [0, 0])
})

test('real password hashes go through the slots: a full queue turns the next one away with 503', async () => {
  const stored = await hashPassword('correct horse battery staple', cheap)
  const slots = new HashSlots({ limit: 1, maxWaiting: 1, retryAfterSeconds: 2 })
  const held = gate()
  const holder = slots.run(() => held.opened)
  const queued = hashPassword('correct horse battery staple', cheap, slots)
  assert.deepEqual([slots.running, slots.waiting], [1, 1])
  for (const refused of [
    () => hashPassword('correct horse battery staple', cheap, slots),
    () => verifyPassword('correct horse battery staple', stored, slots),
  ]) {
    await assert.rejects(refused(), (error: unknown) => {
      assert.ok(isAppError(error))
      assert.equal(error.code, 'unavailable')
      assert.equal(error.status, 503)
      assert.equal(error.headers['retry-after'], '2')
      return true
    })
  }
  held.open()
  await holder
  assert.equal(await verifyPassword('correct horse battery staple', await queued, slots), true)
  assert.deepEqual([slots.running, slots.waiting], [0, 0])
})

test('a hash that fails gives its slot back', async () => {
  const slots = new HashSlots({ limit: 1, maxWaiting: 0 })
  await assert.rejects(slots.run(() => Promise.reject(new Error('scrypt failed'))))
  assert.equal(slots.running, 0)
  assert.equal(await verifyPassword('x', await hashPassword('x', cheap, slots), slots), true)
})
