import assert from 'node:assert/strict'
import { createSecretKey, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { BackgroundSealer } from './background-sealer.js'
import type { SealingJob } from './sealing-job.js'

function jobFor(plaintext: unknown): SealingJob {
  return {
    workspaceId: 'ws_bg',
    wrapping: { key: createSecretKey(randomBytes(32)), version: 1 },
    indexKey: null,
    subjectIds: ['s_1'],
    subjectKeys: [null],
    subjectVersions: [1],
    requestSubjects: [0],
    cellCounts: [1],
    indexCounts: [0],
    cellTables: ['t'],
    cellColumns: ['c'],
    cellRowIds: ['r'],
    cellKinds: ['field'],
    cellPlaintexts: [plaintext as string],
    indexKinds: [],
    indexValues: [],
  }
}

test('a job that cannot be posted fails alone, and the worker serves the next one', async () => {
  const sealer = new BackgroundSealer()
  // A function cannot cross to another thread: posting it throws.
  await assert.rejects(sealer.run(jobFor(() => 'not data')), /could not be cloned/)
  const output = await sealer.run(jobFor('hello'))
  // A wrapped key (1 + 12 + 32 + 16 bytes) and one sealed 5-byte value (18 + 5 + 16).
  assert.deepEqual(output.lengths, [61, 39])
  assert.equal(output.bytes.byteLength, 100)
  await sealer.close()
  await assert.rejects(sealer.run(jobFor('late')), /closed/)
})
