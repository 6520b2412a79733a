import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * Secrets are compared in constant time (Art. 32; issue 23): a comparison that stops at
 * the first differing byte tells a patient caller how much of a guess was right. This
 * reads every source file and fails on an `===`/`!==` or a `Buffer#equals` whose operand
 * is named like a secret (token, secret, password, CSRF, hash, digest, signature, MAC,
 * code, index), unless it is listed below with the reason it is not a secret comparison.
 * The comparisons that are secret use `timingSafeEqual` (identity/secrets.ts `sameSecret`,
 * passwords.ts, rights/verification.logic.ts, tracking/identity-token.ts,
 * inbox/visitor-token.ts, inbox/conversations.service.ts); TOTP codes go through
 * otpauth, which uses `timingSafeEqual` too.
 */
const sourceRoot = fileURLToPath(new URL('../../src/', import.meta.url))

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

const secretLike =
  /(secret|token|csrf|password|passcode|otp|signature|mac|digest|hash|verifier|code|index)(hex|hash)?$/i
const notSecret = /^(['"`\d-]|undefined$|null$|true$|false$)/
const sizeLike = /(length|size|count|typeof|status|statusCode|kind|type)$/i

/** `file: trimmed line` → why it is not a secret comparison. */
const allowed: Record<string, string> = {
  'audit/chain.logic.ts: if (row[rowPrevHash] !== cursor.hashHex) {':
    'verifying the audit chain: its hashes are integrity data, not secrets',
  "audit/chain.logic.ts: if (row[rowHash] !== hash('sha256', canonicalFields(cursor.hashHex, row), 'hex')) {":
    'verifying the audit chain: its hashes are integrity data, not secrets',
  'system.routes.ts: const known = codes.find((candidate) => candidate === code)':
    'a problem code from the public catalogue (GET /problems/{code})',
  "audit/chain.logic.ts: cursor.hashHex === head.hash.toString('hex') &&":
    'the audit chain head: integrity data every verifier reads, not a secret',
  "identity/pages/setup-page.ts: if (password !== form.confirm.value) return say('The two passwords differ.', 'error')":
    'in the browser: the two fields the person just typed, before anything is sent',
  "rights/export-download.ts: row.agent_export_token_hash === hash ? 'agent-link' : 'link',":
    'the row was found by this hash already; this only tells which of its two links it was',
  'audit/append-entries.ts: head.hash.equals(genesisHash)':
    'the genesis hash of the audit chain: a public constant',
  'crypto/key-store.ts: if (made !== undefined && row.version === 1 && row.wrapped_key.equals(made.row.wrapped_key)) {':
    'whether this process wrote the stored wrapped key: no caller input is involved',
  'backup/openpgp-stream.ts: const signer = signers.find((key) => key.getKeyIDs().some((id) => id.equals(first.keyID)))':
    "choosing which public key checks a backup's signature by its key id, which the signed file states in clear",
}

function lastName(operand: string): string {
  return (
    operand
      .replace(/[()?!]+$/g, '')
      .split(/[.[\]]/)
      .filter(Boolean)
      .pop() ?? ''
  )
}

test('every comparison of a secret-like value is constant-time, or listed with a reason', () => {
  const found: string[] = []
  const files = sourceFiles(sourceRoot)
  assert.ok(files.length > 200)
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n')
    lines.forEach((line) => {
      const where = `${relative(sourceRoot, file)}: ${line.trim()}`
      for (const match of line.matchAll(/([\w$.?[\]()]+)\s*(?:===|!==)\s*([\w$.?[\]()'"`-]+)/g)) {
        const [, left = '', right = ''] = match
        const operands = [left, right].map((item) => item.replace(/\)+$/, ''))
        if (operands.some((item) => notSecret.test(item))) continue
        const names = operands.map(lastName)
        if (names.some((name) => sizeLike.test(name))) continue
        if (names.some((name) => secretLike.test(name))) found.push(where)
      }
      for (const match of line.matchAll(/([\w$.?[\]()]+)\.equals\(/g)) {
        if (secretLike.test(lastName(match[1] ?? ''))) found.push(where)
        else if (/hash|key|digest|index|token/i.test(line)) found.push(where)
      }
    })
  }
  const unexplained = [...new Set(found)].filter((where) => !(where in allowed))
  assert.deepEqual(unexplained, [], 'compare with timingSafeEqual, or list it here with why not')
  // The list stays true: each allowed line still exists.
  const stale = Object.keys(allowed).filter((where) => !found.includes(where))
  assert.deepEqual(stale, [], 'an allowed comparison is gone: remove it from the list')
})
