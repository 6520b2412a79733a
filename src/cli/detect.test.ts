import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { detectSensitiveData } from '../inbox/index.js'

// The command as a person runs it, in a child process reading standard input.
const main = fileURLToPath(new URL('./main.ts', import.meta.url))
const detect = (args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, 'detect', ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
  })

const text = 'My card is 4111 1111 1111 1111\nIBAN DE89 3704 0044 0532 0130 00, order 12345678'

test('custodian detect --json prints the findings of standard input, the same as the write path', () => {
  const result = detect(['--json'], text)
  assert.equal(result.status, 0, result.stderr)
  const printed: unknown = JSON.parse(result.stdout)
  assert.deepEqual(printed, detectSensitiveData(text, { threshold: 0.5 }))
  assert.deepEqual(
    (printed as { kind: string }[]).map((finding) => finding.kind),
    ['card', 'iban'],
  )
  assert.ok(!result.stdout.includes('4111') && !result.stdout.includes('DE89'), 'never the value')
})

test('custodian detect prints one line per finding with line and column, and says when none', () => {
  const found = detect([], text)
  assert.equal(found.status, 0, found.stderr)
  assert.match(found.stdout, /^1:12\tcard \(visa\)\tconfidence 0\.95/m)
  assert.match(found.stdout, /^2:6\tiban \(de\)/m)
  assert.equal(detect([], 'Where is my parcel?').stdout, 'Nothing sensitive found.\n')
})

test('custodian detect refuses a threshold outside 0 to 1', () => {
  const result = detect(['--threshold', '1.5'], text)
  assert.equal(result.status, 1)
  assert.match(result.stderr, /--threshold is a number from 0 to 1/)
})
