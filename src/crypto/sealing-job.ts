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
  /** Each subject's sealing key and its version, or null: make version 1. */
  subjects: readonly { subjectId: string; key: KeyObject | null; version: number }[]
  items: readonly SealingJobItem[]
}

export interface SealingJobItem {
  /** Position of the sealing subject in `subjects`. */
  subject: number
  cells: readonly {
    table: string
    column: string
    rowId: string
    kind: PayloadKind
    plaintext: string | Uint8Array
  }[]
  indexes: readonly { kind: BlindIndexKind; value: string }[]
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
  const made = job.subjects.filter((subject) => subject.key === null)
  if (made.length > 0 && job.wrapping === null) {
    throw new Error('a sealing job makes subject keys without a wrapping key')
  }
  const material = randomFillSync(Buffer.allocUnsafe(keyLength * made.length))
  try {
    // A made key seals as its clear bytes (wiped below): a KeyObject would cost as much
    // as the sealing, for a key used once here and loaded from its wrapping afterwards.
    const keys = new Map<number, { key: KeyObject | Buffer; version: number }>()
    let next = 0
    job.subjects.forEach((subject, position) => {
      if (subject.key !== null) {
        keys.set(position, { key: subject.key, version: subject.version })
        return
      }
      const wrapping = job.wrapping
      if (wrapping === null) return
      const clear = material.subarray(next * keyLength, (next + 1) * keyLength)
      next += 1
      const context = subjectKeyContext(job.workspaceId, subject.subjectId, 1, wrapping.version)
      parts.push(wrapKey(wrapping.key, subjectKeyLabel, context, clear))
      keys.set(position, { key: clear, version: 1 })
    })
    for (const item of job.items) {
      const subject = job.subjects[item.subject]
      const key = keys.get(item.subject)
      if (subject === undefined || key === undefined) {
        throw new Error('a sealing job item names no subject of the job')
      }
      for (const cell of item.cells) {
        const plaintext =
          typeof cell.plaintext === 'string'
            ? Buffer.from(cell.plaintext, 'utf8')
            : Buffer.from(cell.plaintext)
        const ref = { ...cell, workspaceId: job.workspaceId, subjectId: subject.subjectId }
        parts.push(sealPayload(key.key, key.version, cell.kind, ref, plaintext))
        plaintext.fill(0)
      }
      for (const index of item.indexes) {
        if (job.indexKey === null) throw new Error('a sealing job indexes without an index key')
        parts.push(computeBlindIndex(job.indexKey, index.kind, index.value))
      }
    }
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
