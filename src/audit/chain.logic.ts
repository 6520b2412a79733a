import { hash } from 'node:crypto'

/**
 * The hash chain, pure. Entry n stores `hash = SHA-256(canonical(prev_hash, entry n))`
 * where `prev_hash` is the hash of entry n−1 (32 zero bytes for entry 1). Changing any
 * field of an entry changes its hash; deleting or reordering entries breaks the link
 * or the sequence; the head row pins the newest entry so removing the tail shows too.
 *
 * The canonical form is a JSON array: a format label, the previous hash and then every
 * stored field in a fixed order, binary values as lower-case hex. It is unambiguous
 * (every string is quoted and escaped), fast (native `JSON.stringify`, one hash update)
 * and easy to re-implement for an external auditor. It hashes the stored values exactly,
 * so checking the chain needs no key: only the head seal does.
 */
export const chainFormat = 'custodian/audit/v1'
export const hashLength = 32
export const genesisHash: Buffer = Buffer.alloc(hashLength)
export const genesisHashHex: string = genesisHash.toString('hex')

/** Every stored field of an entry except the two hashes, the sealed IP as hex. */
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
  ip_sealed_hex: string | null
  details: string | null
}

/** An entry as the verification walk reads it: hashes as lower-case hex. */
export interface StoredEntry extends EntryFields {
  prev_hash_hex: string
  hash_hex: string
}

/** An entry as it is inserted: binary columns as bytes. */
export interface ChainedEntry extends Omit<EntryFields, 'ip_sealed_hex'> {
  ip_sealed: Buffer | null
  prev_hash: Buffer
  hash: Buffer
}

export type EntryDraft = Omit<ChainedEntry, 'seq' | 'prev_hash' | 'hash'>

export function canonicalEntry(prevHashHex: string, entry: EntryFields): string {
  return canonicalFields(prevHashHex, fieldsOf(entry))
}

/**
 * An entry's stored fields in canonical order, hashes last: the form the verification
 * walk reads rows in (on SQLite straight from the database, as arrays).
 */
export type StoredRow = readonly [
  seq: number,
  id: string,
  at: string,
  workspace_id: string | null,
  actor_type: string,
  actor_id: string | null,
  action: string,
  resource_type: string | null,
  resource_id: string | null,
  subject_ref: string | null,
  purpose: string | null,
  outcome: string,
  request_id: string | null,
  ip_sealed_hex: string | null,
  details: string | null,
  prev_hash_hex: string,
  hash_hex: string,
]

/** Where a StoredRow keeps what the walk looks at besides the hashed fields. */
const rowSeq = 0
const rowId = 1
const rowPrevHash = 15
const rowHash = 16

/**
 * The stored columns in canonical order, hashes last: the order of a StoredRow (binary
 * columns read back as `<name>_hex`) and of every insert.
 */
export const entryColumns = [
  'seq',
  'id',
  'at',
  'workspace_id',
  'actor_type',
  'actor_id',
  'action',
  'resource_type',
  'resource_id',
  'subject_ref',
  'purpose',
  'outcome',
  'request_id',
  'ip_sealed',
  'details',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof ChainedEntry)[]

/** The columns stored as bytes, which the walk reads as lower-case hex. */
export const binaryEntryColumns: ReadonlySet<string> = new Set(['ip_sealed', 'prev_hash', 'hash'])

export function rowOf(entry: StoredEntry): StoredRow {
  return [...fieldsOf(entry), entry.prev_hash_hex, entry.hash_hex]
}

function fieldsOf(entry: EntryFields) {
  return [
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
    entry.ip_sealed_hex,
    entry.details,
  ] as const
}

/** The canonical text of the fields of a row (its first 15 elements) after `prevHashHex`. */
function canonicalFields(
  prevHashHex: string,
  row: ReturnType<typeof fieldsOf> | StoredRow,
): string {
  return JSON.stringify([
    chainFormat,
    prevHashHex,
    row[0],
    row[1],
    row[2],
    row[3],
    row[4],
    row[5],
    row[6],
    row[7],
    row[8],
    row[9],
    row[10],
    row[11],
    row[12],
    row[13],
    row[14],
  ])
}

/** The entry's hash, lower-case hex. */
export function hashEntry(prevHashHex: string, entry: EntryFields): string {
  // The one-shot form: no Hash object per entry, which costs as much as the digest.
  return hash('sha256', canonicalEntry(prevHashHex, entry), 'hex')
}

/** Links drafts onto the chain after the given head, in order. */
export function chainEntries(
  head: { seq: number; hash: Buffer },
  drafts: readonly EntryDraft[],
): ChainedEntry[] {
  let seq = head.seq
  let prevHash = head.hash
  let prevHashHex = head.hash.toString('hex')
  const chained: ChainedEntry[] = new Array<ChainedEntry>(drafts.length)
  for (let index = 0; index < drafts.length; index += 1) {
    const draft = drafts[index] as EntryDraft
    seq += 1
    // The canonical text straight from the draft (the order of canonicalFields): this
    // runs for every entry appended, and an EntryFields object per entry cost as much.
    const canonical = JSON.stringify([
      chainFormat,
      prevHashHex,
      seq,
      draft.id,
      draft.at,
      draft.workspace_id,
      draft.actor_type,
      draft.actor_id,
      draft.action,
      draft.resource_type,
      draft.resource_id,
      draft.subject_ref,
      draft.purpose,
      draft.outcome,
      draft.request_id,
      draft.ip_sealed === null ? null : draft.ip_sealed.toString('hex'),
      draft.details,
    ])
    const entryHash = hash('sha256', canonical, 'buffer')
    chained[index] = {
      seq,
      id: draft.id,
      at: draft.at,
      workspace_id: draft.workspace_id,
      actor_type: draft.actor_type,
      actor_id: draft.actor_id,
      action: draft.action,
      resource_type: draft.resource_type,
      resource_id: draft.resource_id,
      subject_ref: draft.subject_ref,
      purpose: draft.purpose,
      outcome: draft.outcome,
      request_id: draft.request_id,
      ip_sealed: draft.ip_sealed,
      details: draft.details,
      prev_hash: prevHash,
      hash: entryHash,
    }
    prevHash = entryHash
    prevHashHex = entryHash.toString('hex')
  }
  return chained
}

export type BreakReason =
  | 'sequence gap'
  | 'previous hash mismatch'
  | 'hash mismatch'
  | 'head mismatch'
  | 'head seal invalid'
  | 'entry beyond head'
  | 'anchor seal invalid'

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
  hashHex: string
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
  entry: StoredEntry,
): { broken: ChainBreak } | { cursor: ChainCursor } {
  return checkNextRow(cursor, rowOf(entry))
}

/** `checkNextEntry` on a row read as an array: the walk's hot loop. */
export function checkNextRow(
  cursor: ChainCursor,
  row: StoredRow,
): { broken: ChainBreak } | { cursor: ChainCursor } {
  const seq = row[rowSeq]
  const id = row[rowId]
  const expectedSeq = cursor.seq + 1
  if (seq !== expectedSeq) {
    return {
      broken: {
        seq: expectedSeq,
        id: null,
        reason: 'sequence gap',
        detail: `entry ${String(expectedSeq)} is missing; the next stored entry is ${String(seq)}`,
      },
    }
  }
  if (row[rowPrevHash] !== cursor.hashHex) {
    return {
      broken: {
        seq,
        id,
        reason: 'previous hash mismatch',
        detail: `entry ${String(seq)} does not chain to entry ${String(cursor.seq)}`,
      },
    }
  }
  if (row[rowHash] !== hash('sha256', canonicalFields(cursor.hashHex, row), 'hex')) {
    return {
      broken: {
        seq,
        id,
        reason: 'hash mismatch',
        detail: `entry ${String(seq)} was altered after it was written`,
      },
    }
  }
  return { cursor: { seq, hashHex: row[rowHash], id } }
}

/**
 * An entry as SQLite can hand it to the walk: seq, id, hash (hex) and the canonical text
 * of its fields, built by the database's own `json_array` (which escapes exactly as
 * JSON.stringify does, for every code point). One string per row instead of seventeen
 * values makes reading and checking it cheaper than reading the row.
 */
export type CanonicalRow = readonly [seq: number, id: string, hash_hex: string, canonical: string]

/** Where the previous hash starts in a canonical text: after `["custodian/audit/v1","`. */
export const canonicalPrevHashAt = JSON.stringify([chainFormat, '']).length - 2

/**
 * The fast check of the next entry from its canonical text: the cursor after it, or
 * undefined when anything does not hold. Undefined is no verdict: the walk then checks
 * that entry by `checkNextRow` from its stored fields, which alone names a break. The
 * fast check only accepts what `checkNextRow` accepts: the text hashes to the stored
 * hash only if it is, byte for byte, the text that was hashed on append, and JSON text
 * equal means every field equal.
 */
export function advanceCanonical(cursor: ChainCursor, row: CanonicalRow): ChainCursor | undefined {
  const canonical = row[3]
  const prevHashHex = cursor.hashHex
  if (
    row[0] !== cursor.seq + 1 ||
    !canonical.startsWith(prevHashHex, canonicalPrevHashAt) ||
    canonical.charCodeAt(canonicalPrevHashAt + prevHashHex.length) !== quote ||
    row[2] !== hash('sha256', canonical, 'hex')
  ) {
    return undefined
  }
  return { seq: row[0], hashHex: row[2], id: row[1] }
}

const quote = 0x22

/** The walk reached the head's seq: the last entry must be the one the head names. */
export function checkHead(
  cursor: ChainCursor,
  head: { seq: number; hash: Buffer; lastId: string | null },
): ChainBreak | undefined {
  if (
    cursor.seq === head.seq &&
    cursor.hashHex === head.hash.toString('hex') &&
    cursor.id === head.lastId
  ) {
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
