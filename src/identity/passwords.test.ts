import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkPasswordStrength, hashPassword, needsRehash, verifyPassword } from './passwords.js'

const cheap = { logN: 12, r: 8, p: 1 }

test('a hashed password verifies and a wrong one does not', async () => {
  const stored = await hashPassword('correct horse battery staple', cheap)
  assert.match(stored, /^\$scrypt\$ln=12,r=8,p=1\$/)
  assert.equal(await verifyPassword('correct horse battery staple', stored), true)
  assert.equal(await verifyPassword('correct horse battery stapler', stored), false)
})

test('the same password hashes differently each time (salted)', async () => {
  const a = await hashPassword('correct horse battery staple', cheap)
  const b = await hashPassword('correct horse battery staple', cheap)
  assert.notEqual(a, b)
})

test('the default cost is memory-hard and weaker hashes need a rehash', async () => {
  const stored = await hashPassword('correct horse battery staple', cheap)
  assert.equal(needsRehash(stored), true)
  assert.equal(needsRehash(stored, cheap), false)
  assert.equal(await verifyPassword('anything', 'not-a-phc-string'), false)
})

test('short or repetitive passwords are refused with a reason', () => {
  assert.match(checkPasswordStrength('short') ?? '', /at least 12/)
  assert.match(checkPasswordStrength('aaaaaaaaaaaaaaaa') ?? '', /repeated/)
  assert.equal(checkPasswordStrength('a long enough passphrase'), undefined)
})
