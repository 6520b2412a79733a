import { createHash } from 'node:crypto'

/**
 * The hash chain, pure. Entry n stores `hash = SHA-256(prev_hash ‖ canonical(entry n))`
 * and `prev_hash` = the hash of entry n−1 (32 zero bytes for entry 1). Changing any
 * field of an entry changes its hash; deleting or reordering entries breaks the link
 * or the sequence; the head row pins the newest entry so removing the tail shows too.
 *
 * The canonical form is a JSON array of the fields in a fixed order, with the sealed IP
 * as base64: unambiguous (every string is quoted and escaped), fast (native
 * `JSON.stringify`), and simple to re-implement for an external auditor. It hashes the
 * stored bytes exactly, so verification needs no key: only the head seal does.
 */
export const chainFormat = 'custodian/audit/v1'
export const hashLength = 32
export const genesisHash: Buffer = Buffer.alloc(hashLength)

/** Every stored field of an entry except the two hashes. */
export interface EntryFields {
  seq: number
  id: string
  at: string
  workspace_id: string | null
  actor_type: string
  actor_id: string | null
  action: string
  resource_type: string | null
  resource_id: string | null
  subject_ref: string | null
  purpose: string | null
  outcome: string
  request_id: string | null
  ip_sealed: Buffer | null
  details: string | null
}

export interface ChainedEntry extends EntryFields {
  prev_hash: Buffer
  hash: Buffer
}

export function canonicalEntry(entry: EntryFields): string {
  return JSON.stringify([
    chainFormat,
    entry.seq,
    entry.id,
    entry.at,
    entry.workspace_id,
    entry.actor_type,
    entry.actor_id,
    entry.action,
    entry.resource_type,
    entry.resource_id,
    entry.subject_ref,
    entry.purpose,
    entry.outcome,
    entry.request_id,
    entry.ip_sealed === null ? null : entry.ip_sealed.toString('base64'),
    entry.details,
  ])
}

export function hashEntry(prevHash: Uint8Array, entry: EntryFields): Buffer {
  return createHash('sha256').update(prevHash).update(canonicalEntry(entry), 'utf8').digest()
}

/** Links entries (without seq) onto the chain after the given head, in order. */
export function chainEntries(
  head: { seq: number; hash: Buffer },
  entries: readonly Omit<EntryFields, 'seq'>[],
): ChainedEntry[] {
  let seq = head.seq
  let prevHash = head.hash
  return entries.map((fields) => {
    seq += 1
    const entry: EntryFields = { ...fields, seq }
    const hash = hashEntry(prevHash, entry)
    const chained: ChainedEntry = { ...entry, prev_hash: prevHash, hash }
    prevHash = hash
    return chained
  })
}

export type BreakReason =
  | 'sequence gap'
  | 'previous hash mismatch'
  | 'hash mismatch'
  | 'head mismatch'
  | 'head seal invalid'
  | 'entry beyond head'

/** The first entry where the chain does not hold, and why. */
export interface ChainBreak {
  seq: number
  /** Null when the entry is gone (deleted): only its position is known. */
  id: string | null
  reason: BreakReason
  detail: string
}

/** Where the walk stands: the seq the next entry must have and the hash it must chain to. */
export interface ChainCursor {
  seq: number
  hash: Buffer
  id: string | null
}

/**
 * Checks the next stored entry against the walk so far. Returns the break, or the
 * cursor after this entry. A deleted entry shows as a gap at its own seq; an entry
 * renumbered to close the gap, or swapped with another, no longer matches its hash
 * (the hash covers seq) nor its neighbours' links.
 */
export function checkNextEntry(
  cursor: ChainCursor,
  entry: ChainedEntry,
): { broken: ChainBreak } | { cursor: ChainCursor } {
  const expectedSeq = cursor.seq + 1
  if (entry.seq !== expectedSeq) {
    return {
      broken: {
        seq: expectedSeq,
        id: null,
        reason: 'sequence gap',
        detail: `entry ${expectedSeq} is missing; the next stored entry is ${entry.seq}`,
      },
    }
  }
  if (!sameBytes(entry.prev_hash, cursor.hash)) {
    return {
      broken: {
        seq: entry.seq,
        id: entry.id,
        reason: 'previous hash mismatch',
        detail: `entry ${entry.seq} does not chain to entry ${cursor.seq}`,
      },
    }
  }
  if (!sameBytes(entry.hash, hashEntry(cursor.hash, entry))) {
    return {
      broken: {
        seq: entry.seq,
        id: entry.id,
        reason: 'hash mismatch',
        detail: `entry ${entry.seq} was altered after it was written`,
      },
    }
  }
  return { cursor: { seq: entry.seq, hash: entry.hash, id: entry.id } }
}

/** The walk reached the head's seq: the last entry must be the one the head names. */
export function checkHead(
  cursor: ChainCursor,
  head: { seq: number; hash: Buffer; lastId: string | null },
): ChainBreak | undefined {
  if (cursor.seq === head.seq && sameBytes(cursor.hash, head.hash) && cursor.id === head.lastId) {
    return undefined
  }
  if (cursor.seq < head.seq) {
    return {
      seq: cursor.seq + 1,
      id: cursor.seq + 1 === head.seq ? head.lastId : null,
      reason: 'head mismatch',
      detail: `the chain ends at entry ${cursor.seq} but the head records entry ${head.seq}`,
    }
  }
  return {
    seq: head.seq,
    id: head.lastId,
    reason: 'head mismatch',
    detail: `entry ${head.seq} is not the entry the head records`,
  }
}

/** What the head seal covers: its position, its entry and its hash. */
export function headSealText(head: { seq: number; hash: Buffer; lastId: string | null }): string {
  return JSON.stringify([`${chainFormat}/head`, head.seq, head.lastId, head.hash.toString('hex')])
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return Buffer.compare(left, right) === 0
}
