import { type KeyObject, randomFillSync } from 'node:crypto'
import { type BlindIndexKind, computeBlindIndex } from './blind-index.js'
import { type PayloadKind, sealPayload } from './envelope.js'
import { wrapKey } from './key-wrap.js'
import { subjectKeyContext, subjectKeyLabel } from './subject-keys.js'

/**
 * One batch of cryptography for the sealing worker (sealing-worker.ts): make and wrap
 * keys for subjects that have none, seal every cell, compute every blind index. Plain
 * data in, bytes out, no database: it runs on another thread while the main thread
 * writes the previous batch. KeyObjects cross threads as native copies, never as bytes
 * in a message.
 */
export interface SealingJob {
  workspaceId: string
  /** The workspace key version that wraps new subject keys; null when none are made. */
  wrapping: { key: KeyObject; version: number } | null
  /** The workspace's blind-index key; null when nothing is indexed. */
  indexKey: KeyObject | null
  // Column by column rather than an object per value: a message of a few long arrays
  // of strings crosses to the worker in a third of the time.
  /** Each subject's id, its sealing key (null: make version 1), and that key's version. */
  subjectIds: string[]
  subjectKeys: (KeyObject | null)[]
  subjectVersions: number[]
  /** Per request: its subject's position in subjectIds, and how many cells and indexes. */
  requestSubjects: number[]
  cellCounts: number[]
  indexCounts: number[]
  /** Every cell, request after request. */
  cellTables: string[]
  cellColumns: string[]
  cellRowIds: string[]
  cellKinds: PayloadKind[]
  cellPlaintexts: (string | Uint8Array)[]
  /** Every value to index, request after request. */
  indexKinds: BlindIndexKind[]
  indexValues: string[]
}

/**
 * The job's output as one buffer, moved (not copied) back to the main thread: the
 * wrapped keys of made subjects in subject order, then each item's sealed cells and
 * blind indexes in order; `lengths` gives each part's size.
 */
export interface SealingJobOutput {
  bytes: ArrayBuffer
  lengths: number[]
}

const keyLength = 32

export function runSealingJob(job: SealingJob): SealingJobOutput {
  const parts: Buffer[] = []
  const made = job.subjectKeys.filter((key) => key === null).length
  const material = randomFillSync(Buffer.allocUnsafe(keyLength * made))
  try {
    const keys = subjectKeysOf(job, material, parts)
    sealRequests(job, keys, parts)
  } finally {
    material.fill(0)
  }
  const joined = Buffer.concat(parts)
  // Moved to the main thread whole: a view on a shared pool would be copied out first.
  const whole = joined.byteOffset === 0 && joined.length === joined.buffer.byteLength
  const bytes = whole
    ? joined.buffer
    : joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length)
  return { bytes, lengths: parts.map((part) => part.length) }
}

/**
 * Each subject's sealing key: its own, or a new one cut from `material` and wrapped
 * (the wrapping appended to `parts`). A made key seals as its clear bytes, wiped with
 * `material`: a KeyObject would cost as much as the sealing, for a key used once here
 * and loaded from its wrapping afterwards.
 */
function subjectKeysOf(
  job: SealingJob,
  material: Buffer,
  parts: Buffer[],
): { key: KeyObject | Buffer; version: number }[] {
  const wrapping = job.wrapping
  let next = 0
  return job.subjectIds.map((subjectId, position) => {
    const existing = job.subjectKeys[position]
    if (existing !== null && existing !== undefined) {
      return { key: existing, version: job.subjectVersions[position] ?? 1 }
    }
    if (wrapping === null) throw new Error('a sealing job makes keys without a wrapping key')
    const clear = material.subarray(next * keyLength, (next + 1) * keyLength)
    next += 1
    const context = subjectKeyContext(job.workspaceId, subjectId, 1, wrapping.version)
    parts.push(wrapKey(wrapping.key, subjectKeyLabel, context, clear))
    return { key: clear, version: 1 }
  })
}

/** Every request's cells sealed, then its values indexed, appended to `parts` in order. */
function sealRequests(
  job: SealingJob,
  keys: readonly { key: KeyObject | Buffer; version: number }[],
  parts: Buffer[],
): void {
  let cell = 0
  let index = 0
  job.requestSubjects.forEach((position, request) => {
    const key = keys[position]
    const subjectId = job.subjectIds[position]
    if (key === undefined || subjectId === undefined) {
      throw new Error('a sealing job request names no subject of the job')
    }
    for (const end = cell + (job.cellCounts[request] ?? 0); cell < end; cell += 1) {
      const text = job.cellPlaintexts[cell] ?? ''
      const plaintext = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text)
      const ref = {
        workspaceId: job.workspaceId,
        subjectId,
        table: job.cellTables[cell] ?? '',
        column: job.cellColumns[cell] ?? '',
        rowId: job.cellRowIds[cell] ?? '',
      }
      parts.push(sealPayload(key.key, key.version, job.cellKinds[cell] ?? 'field', ref, plaintext))
      plaintext.fill(0)
    }
    for (const end = index + (job.indexCounts[request] ?? 0); index < end; index += 1) {
      if (job.indexKey === null) throw new Error('a sealing job indexes without an index key')
      const kind = job.indexKinds[index] ?? 'email'
      parts.push(computeBlindIndex(job.indexKey, kind, job.indexValues[index] ?? ''))
    }
  })
}
