import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkTotp, newTotpSecret, totpCodeAt, totpUri } from './totp.js'

const secret = newTotpSecret()
const now = new Date('2026-05-01T12:00:10Z')

test('the enrolment URI is an otpauth:// URI an authenticator app reads', () => {
  const uri = new URL(totpUri(secret, 'ops@example.com'))
  assert.equal(uri.protocol, 'otpauth:')
  assert.equal(uri.host, 'totp')
  assert.equal(uri.searchParams.get('secret'), secret)
  assert.equal(uri.searchParams.get('issuer'), 'Custodian')
  assert.equal(uri.searchParams.get('digits'), '6')
  assert.equal(uri.searchParams.get('period'), '30')
})

test('the current code is valid', () => {
  const result = checkTotp(secret, totpCodeAt(secret, now), now, null)
  assert.equal(result.ok, true)
})

test('a code from one step ago or ahead is accepted (clock drift)', () => {
  assert.equal(
    checkTotp(secret, totpCodeAt(secret, new Date(now.getTime() - 30_000)), now, null).ok,
    true,
  )
  assert.equal(
    checkTotp(secret, totpCodeAt(secret, new Date(now.getTime() + 30_000)), now, null).ok,
    true,
  )
})

test('a code from two steps ago has expired', () => {
  const old = totpCodeAt(secret, new Date(now.getTime() - 60_000))
  assert.deepEqual(checkTotp(secret, old, now, null), { ok: false, reason: 'invalid' })
})

test('a code accepted once is refused the second time, as is an older one', () => {
  const code = totpCodeAt(secret, now)
  const first = checkTotp(secret, code, now, null)
  assert.ok(first.ok)
  assert.deepEqual(checkTotp(secret, code, now, first.step), { ok: false, reason: 'replayed' })
  const previous = totpCodeAt(secret, new Date(now.getTime() - 30_000))
  assert.deepEqual(checkTotp(secret, previous, now, first.step), { ok: false, reason: 'replayed' })
  const next = new Date(now.getTime() + 30_000)
  assert.equal(checkTotp(secret, totpCodeAt(secret, next), next, first.step).ok, true)
})

test('malformed codes and other secrets’ codes are invalid', () => {
  assert.equal(checkTotp(secret, 'abcdef', now, null).ok, false)
  assert.equal(checkTotp(secret, '12345', now, null).ok, false)
  assert.equal(checkTotp(secret, totpCodeAt(newTotpSecret(), now), now, null).ok, false)
})
