import type { Keyring } from '../crypto/index.js'
import { isAppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { cursorAfter, isAnchorSealValid, selectAnchor } from './anchor.js'
import { isHeadSealValid } from './append-entries.js'
import { selectActorEntries, selectChainRows, selectHead } from './audit.repository.js'
import { type ChainBreak, type ChainCursor, checkNextRow, type StoredRow } from './chain.logic.js'
import { ipCellOf, subjectRefKind } from './seal-entries.js'

/**
 * The audit log read as a stream, for the breach detection rules (Art. 33, 32(1)(d)):
 * from a stored cursor on, never from the start, checking each entry's seq, link and hash
 * against the one before as it goes, so a pass also notices a chain that stopped
 * verifying since the last pass.
 */

/** One entry as the rules see it: ids, verbs and counts; the IP stays sealed. */
export interface StreamEntry {
  readonly seq: number
  readonly id: string
  readonly at: string
  readonly workspaceId: string | null
  readonly actorType: string
  readonly actorId: string | null
  readonly action: string
  readonly resourceType: string | null
  readonly resourceId: string | null
  /** The data subject's blind index (hex): a person counted, never named. */
  readonly subjectRef: string | null
  readonly outcome: string
  readonly details: Readonly<Record<string, unknown>> | null
  /** The caller's IP as stored (sealed), for `openStreamIps`; null when none was kept. */
  readonly ipSealed: Buffer | null
}

export type StreamCursor = ChainCursor

export interface StreamPage {
  readonly entries: readonly StreamEntry[]
  /** Where the next read starts: after the last entry found sound. */
  readonly cursor: StreamCursor
  /** The first place the chain does not hold; entries past it are not returned. */
  readonly broken?: ChainBreak
  /** True when entries remain past this page. */
  readonly more: boolean
}

/**
 * Entries after `after`, oldest first, at most `limit`. Without a cursor (the first
 * pass of a new instance or a new detector) it starts at the head: detection watches
 * what happens from now on, and `custodian audit verify` is what walks the past.
 */
export async function readAuditStream(
  deps: { db: Database; keyring: Keyring },
  after: StreamCursor | null,
  limit: number,
): Promise<StreamPage> {
  const head = await selectHead(deps.db)
  if (head === undefined) {
    throw new Error('The audit chain head is missing: run the migrations')
  }
  const headCursor = { seq: head.seq, hashHex: head.hash.toString('hex'), id: head.lastId }
  if (!(await isHeadSealValid(deps.keyring, head))) {
    const cursor = after ?? headCursor
    return {
      entries: [],
      cursor,
      more: false,
      broken: {
        seq: head.seq,
        id: head.lastId,
        reason: 'head seal invalid',
        detail: 'the head was set without the master key',
      },
    }
  }
  if (after === null) return { entries: [], cursor: headCursor, more: false }
  if (head.seq < after.seq) {
    return {
      entries: [],
      cursor: after,
      more: false,
      broken: {
        seq: head.seq + 1,
        id: null,
        reason: 'head mismatch',
        detail: `the head stands at ${String(head.seq)}, before entry ${String(after.seq)} already read`,
      },
    }
  }
  // The anchor retention leaves is checked on every pass: only the master key can have
  // set it, and a forged one hides deleted entries. When retention removed entries this
  // reader had not reached, it reads on from the anchor.
  const anchor = await selectAnchor(deps.db)
  if (anchor !== undefined) {
    if (!(await isAnchorSealValid(deps.keyring, anchor))) {
      return {
        entries: [],
        cursor: after,
        more: false,
        broken: {
          seq: anchor.seq,
          id: anchor.lastId,
          reason: 'anchor seal invalid',
          detail: 'the anchor was set without the master key',
        },
      }
    }
    if (anchor.seq > after.seq) after = cursorAfter(anchor, after)
  }
  const rows = await selectChainRows(deps.db, after.seq, head.seq, limit)
  const entries: StreamEntry[] = []
  let cursor = after
  for (const row of rows) {
    const checked = checkNextRow(cursor, row)
    if ('broken' in checked) return { entries, cursor, broken: checked.broken, more: false }
    cursor = checked.cursor
    entries.push(streamEntryOf(row))
  }
  if (rows.length === 0 && head.seq > after.seq) {
    return {
      entries,
      cursor,
      more: false,
      broken: {
        seq: after.seq + 1,
        id: null,
        reason: 'sequence gap',
        detail: `entry ${String(after.seq + 1)} is missing below the head`,
      },
    }
  }
  return { entries, cursor, more: cursor.seq < head.seq }
}

function streamEntryOf(row: StoredRow): StreamEntry {
  const details = row[14]
  return {
    seq: row[0],
    id: row[1],
    at: row[2],
    workspaceId: row[3],
    actorType: row[4],
    actorId: row[5],
    action: row[6],
    resourceType: row[7],
    resourceId: row[8],
    subjectRef: row[9],
    outcome: row[11],
    details: details === null ? null : (JSON.parse(details) as Record<string, unknown>),
    ipSealed: row[13] === null ? null : Buffer.from(row[13], 'hex'),
  }
}

/**
 * Opens the IPs of stream entries, in memory, for a rule that compares networks (Art.
 * 32(1)(b), recital 49: network security). An erased actor's address reads null.
 */
export async function openStreamIps(
  keyring: Keyring,
  entries: readonly StreamEntry[],
): Promise<(string | null)[]> {
  const ips: (string | null)[] = []
  for (const entry of entries) {
    if (entry.ipSealed === null) {
      ips.push(null)
      continue
    }
    try {
      ips.push(await keyring.openText(ipCellOf(entry), entry.ipSealed))
    } catch (error) {
      if (isAppError(error) && error.code === 'subject_erased') ips.push(null)
      else throw error
    }
  }
  return ips
}

/** One entry of an actor's trail: what it touched, as blind references and ids. */
export interface TrailEntry {
  readonly seq: number
  readonly at: string
  readonly action: string
  readonly resourceType: string | null
  readonly resourceId: string | null
  readonly subjectRef: string | null
  readonly details: Readonly<Record<string, unknown>> | null
}

/**
 * Everything one actor did in a workspace within `[since, until)`, oldest first, page by
 * page: the breach register's affected subjects come from here, counted by blind
 * reference, with nothing opened.
 */
export async function readActorTrail(
  deps: { db: Database },
  workspaceId: string,
  query: { actorId: string; since: string; until: string },
  visit: (entries: readonly TrailEntry[]) => void | Promise<void>,
): Promise<void> {
  let afterSeq = 0
  for (;;) {
    const rows = await selectActorEntries(deps.db, workspaceId, { ...query, afterSeq, limit: 1000 })
    await visit(
      rows.map((row) => ({
        seq: row.seq,
        at: row.at,
        action: row.action,
        resourceType: row.resource_type,
        resourceId: row.resource_id,
        subjectRef: row.subject_ref,
        details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
      })),
    )
    const last = rows.at(-1)
    if (last === undefined || rows.length < 1000) return
    afterSeq = last.seq
  }
}

/** The blind reference the log keeps of a subject id, to match a trail against a person. */
export async function subjectRefOf(
  keyring: Keyring,
  workspaceId: string,
  subjectId: string,
): Promise<string> {
  return keyring.blindIndexHex(workspaceId, subjectRefKind, subjectId)
}
