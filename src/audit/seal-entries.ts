import type { BlindIndexKind } from '../crypto/index.js'
import type { CellRef } from '../crypto/index.js'
import type { BlindIndexer, Keyring } from '../crypto/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import { type CheckedEvent, platformSubjectId, platformWorkspaceId } from './audit.logic.js'
import type { EntryDraft } from './chain.logic.js'
import { LruCache } from '../lru.js'

/**
 * The blind-index kind subject refs are computed under: its own, so an audit ref can
 * never equal a contact's external-id index. Changing it once entries exist would split
 * each subject's entries between two refs (stored ones cannot be recomputed without
 * breaking their hashes), so a change has to come with a look-up that tries both.
 */
export const subjectRefKind: BlindIndexKind = 'subject_id'

export const ipCellTable = 'audit_entries'
export const ipCellColumn = 'ip'

export type { EntryDraft } from './chain.logic.js'

/**
 * Subject refs already computed, by workspace and subject id (ids, not personal data).
 * The same subjects recur entry after entry (an operator working a contact), and a ref
 * never changes: a workspace's index key is never replaced, as stored refs must stay
 * findable. Only the audit log's own keyring may fill it.
 */
export type SubjectRefCache = LruCache<string, string>

// Each ref is about 150 bytes with its key: 10k of them hold the subjects of a busy hour.
const subjectRefCacheSize = 10_000

export function newSubjectRefCache(): SubjectRefCache {
  return new LruCache(subjectRefCacheSize)
}

/** An event with the identity and time it was given when it was recorded. */
export interface StampedEvent {
  id: string
  at: string
  event: CheckedEvent
}

/** The cell an entry's IP is sealed in: the actor is the subject whose key seals it. */
export function ipCellOf(entry: {
  id: string
  workspaceId: string | null
  actorId: string | null
}): CellRef {
  return {
    workspaceId: entry.workspaceId ?? platformWorkspaceId,
    subjectId: entry.actorId ?? platformSubjectId,
    table: ipCellTable,
    column: ipCellColumn,
    rowId: entry.id,
  }
}

/**
 * Turns checked events into the exact bytes that will be stored and hashed: the IP
 * sealed, the data subject replaced by its blind index. Runs before the append
 * transaction: key look-ups may write (a subject's first key), and on SQLite the
 * transaction holds the only connection.
 *
 * Audit IP cells are deliberately NOT declared in the keyring's sealed-column registry:
 * `keys rotate --reseal` must never rewrite them, since the chain hashes the ciphertext
 * and a re-sealed IP would break every hash from that entry on. Old subject key versions
 * stay (retired, still opening), so these IPs remain readable after a rotation; erasing
 * the actor (crypto-shredding its key) makes its IPs unreadable while the chain still
 * verifies.
 */
export async function sealEntries(
  keyring: Keyring,
  stamped: readonly StampedEvent[],
  subjectRefs: SubjectRefCache,
): Promise<EntryDraft[]> {
  const sealers = await sealersByWorkspace(keyring, stamped)
  const indexers = await indexersByWorkspace(keyring, stamped)
  return stamped.map(({ id, at, event }) => ({
    id,
    at,
    workspace_id: event.workspaceId,
    actor_type: event.actorType,
    actor_id: event.actorId,
    action: event.action,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    subject_ref: subjectRefOf(indexers, subjectRefs, event),
    purpose: event.purpose,
    outcome: event.outcome,
    request_id: event.requestId,
    ip_sealed: event.ip === null ? null : sealIp(sealers, id, event, event.ip),
    details: event.details,
  }))
}

async function indexersByWorkspace(
  keyring: Keyring,
  stamped: readonly StampedEvent[],
): Promise<Map<string, BlindIndexer>> {
  const indexers = new Map<string, BlindIndexer>()
  for (const { event } of stamped) {
    const { workspaceId } = event
    if (event.subjectId === null || workspaceId === null || indexers.has(workspaceId)) continue
    indexers.set(workspaceId, await keyring.indexerFor(workspaceId))
  }
  return indexers
}

function subjectRefOf(
  indexers: Map<string, BlindIndexer>,
  subjectRefs: SubjectRefCache,
  event: CheckedEvent,
): string | null {
  if (event.subjectId === null || event.workspaceId === null) return null
  const cacheKey = `${event.workspaceId}\0${event.subjectId}`
  const cached = subjectRefs.get(cacheKey)
  if (cached !== undefined) return cached
  const indexer = indexers.get(event.workspaceId)
  if (indexer === undefined) throw new Error('No blind indexer for an audit subject')
  const ref = indexer.hex(subjectRefKind, event.subjectId)
  subjectRefs.set(cacheKey, ref)
  return ref
}

/** One key look-up per workspace for the whole batch, not one per entry. */
async function sealersByWorkspace(
  keyring: Keyring,
  stamped: readonly StampedEvent[],
): Promise<Map<string, Map<string, SubjectSealer>>> {
  const subjects = new Map<string, Set<string>>()
  for (const { id, event } of stamped) {
    if (event.ip === null) continue
    const cell = ipCellOf({ id, workspaceId: event.workspaceId, actorId: event.actorId })
    const set = subjects.get(cell.workspaceId) ?? new Set<string>()
    set.add(cell.subjectId)
    subjects.set(cell.workspaceId, set)
  }
  const sealers = new Map<string, Map<string, SubjectSealer>>()
  for (const [workspaceId, subjectIds] of subjects) {
    sealers.set(
      workspaceId,
      await keyring.sealersFor(workspaceId, [...subjectIds], { create: true }),
    )
  }
  return sealers
}

function sealIp(
  sealers: Map<string, Map<string, SubjectSealer>>,
  id: string,
  event: CheckedEvent,
  ip: string,
): Buffer {
  const cell = ipCellOf({ id, workspaceId: event.workspaceId, actorId: event.actorId })
  const sealer = sealers.get(cell.workspaceId)?.get(cell.subjectId)
  // sealersFor with create: true returns a sealer for every subject asked for.
  if (sealer === undefined) throw new Error('No sealer for an audit IP cell')
  return sealer.seal(cell, ip)
}
