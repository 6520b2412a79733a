import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeEachDialect, openSecondHandle } from '../storage/testing/dialects.js'
import {
  type AttemptLimits,
  releaseAttempt,
  reserveAttempt,
  settleFailure,
  settleSuccess,
  type ThrottleKeys,
} from './sign-in-attempts.js'

const limits: AttemptLimits = {
  perAccount: 5,
  perAddress: 20,
  windowMinutes: 15,
  reservationSeconds: 120,
}
const start = new Date('2026-02-01T09:00:00Z')
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000)
let keyCount = 0
/** Keys of their own for each test: the tests share one database. */
function freshKeys(): ThrottleKeys {
  keyCount += 1
  return { account: `account:test-${keyCount}`, address: `address:test-${keyCount}` }
}

describeEachDialect('sign-in attempts', (context) => {
  const db = () => context.storage().db

  test('25 reservations asked at once: exactly the limit is granted', async () => {
    const keys = { account: freshKeys().account }
    const results = await Promise.all(
      Array.from({ length: 25 }, () => reserveAttempt(db(), keys, start, limits)),
    )
    assert.equal(results.filter((result) => result.granted).length, 5)
    const refusals = results.filter((result) => !result.granted)
    assert.ok(refusals.every((result) => result.refusedBy === 'account'))
  })

  test('another process on the same database sees the reservations', async () => {
    const keys = freshKeys()
    for (let index = 0; index < 5; index += 1) {
      assert.equal((await reserveAttempt(db(), keys, start, limits)).granted, true)
    }
    const other = openSecondHandle(context.storage())
    try {
      const refused = await reserveAttempt(other.db, keys, start, limits)
      assert.deepEqual(refused, { granted: false, refusedBy: 'account', retryAfterSeconds: 120 })
    } finally {
      await other.close()
    }
  })

  test('a reservation nobody settles (its process died) frees its place when it expires', async () => {
    const keys = freshKeys()
    for (let index = 0; index < 5; index += 1) await reserveAttempt(db(), keys, start, limits)
    assert.equal((await reserveAttempt(db(), keys, at(119), limits)).granted, false)
    assert.equal((await reserveAttempt(db(), keys, at(120), limits)).granted, true)
  })

  test('failures count for the window; the fifth locks the account once', async () => {
    const keys = freshKeys()
    const locked: boolean[] = []
    for (let index = 0; index < 5; index += 1) {
      const reservation = await reserveAttempt(db(), keys, start, limits)
      assert.ok(reservation.granted)
      locked.push(
        (await settleFailure(db(), keys, reservation.attemptId, start, limits)).accountLocked,
      )
    }
    assert.deepEqual(locked, [false, false, false, false, true])
    assert.deepEqual(await reserveAttempt(db(), keys, at(600), limits), {
      granted: false,
      refusedBy: 'account',
      retryAfterSeconds: 300,
    })
    assert.equal((await reserveAttempt(db(), keys, at(900), limits)).granted, true)
  })

  test('a failure settled after its reservation expired still counts', async () => {
    const keys = freshKeys()
    const reservation = await reserveAttempt(db(), keys, start, limits)
    assert.ok(reservation.granted)
    for (let index = 0; index < 4; index += 1) await reserveAttempt(db(), keys, at(200), limits)
    // The reservation's time is over, and another attempt's reserve cleared nothing it needs.
    await settleFailure(db(), keys, reservation.attemptId, at(300), limits)
    assert.equal((await reserveAttempt(db(), keys, at(300), limits)).granted, false)
  })

  test('a success clears the failures but not the places of attempts still in flight', async () => {
    const keys = freshKeys()
    for (let index = 0; index < 3; index += 1) {
      const failed = await reserveAttempt(db(), keys, start, limits)
      assert.ok(failed.granted)
      await settleFailure(db(), keys, failed.attemptId, start, limits)
    }
    const inFlight = await reserveAttempt(db(), keys, start, limits)
    const success = await reserveAttempt(db(), keys, start, limits)
    assert.ok(inFlight.granted && success.granted)
    await settleSuccess(db(), keys, success.attemptId)
    const granted = await Promise.all(
      Array.from({ length: 5 }, () => reserveAttempt(db(), keys, start, limits)),
    )
    assert.equal(granted.filter((result) => result.granted).length, 4, 'one place is still held')
  })

  test('a released attempt gives its place back without counting', async () => {
    const keys = freshKeys()
    for (let index = 0; index < 5; index += 1) {
      const reservation = await reserveAttempt(db(), keys, start, limits)
      assert.ok(reservation.granted)
      await releaseAttempt(db(), reservation.attemptId)
    }
    assert.equal((await reserveAttempt(db(), keys, start, limits)).granted, true)
  })

  test('an address is refused at its own limit, counting reservations, whatever the accounts', async () => {
    const address = freshKeys().address
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        reserveAttempt(
          db(),
          { account: `account:spray-${keyCount}-${index}`, address },
          start,
          limits,
        ),
      ),
    )
    assert.equal(results.filter((result) => result.granted).length, 20)
    assert.ok(results.every((result) => result.granted || result.refusedBy === 'address'))
  })
})
