import type { Keyring } from '../crypto/index.js'
import { isAppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import type { AuditAction } from './audit-actions.js'
import { type WorkspaceEntryFilter, selectWorkspaceEntries } from './audit.repository.js'
import type { ChainedEntry } from './chain.logic.js'
import {
  type AuditEntryView,
  decodeCursor,
  defaultPageSize,
  encodeCursor,
  maxPageSize,
  normalizeTimeBound,
  toEntryView,
} from './page.logic.js'
import { ipCellOf, subjectRefKind } from './seal-entries.js'

export interface ListEntriesQuery {
  /** From a previous page's `nextCursor`. */
  cursor?: string
  /** 1 to 200; 50 when absent. */
  limit?: number
  action?: AuditAction
  /** Entries about this data subject only (matched by its blind index). */
  subjectId?: string
  /** ISO 8601: entries at or after this time. */
  since?: string
  /** ISO 8601: entries before this time. */
  until?: string
}

export interface AuditPage {
  entries: AuditEntryView[]
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

export interface EntriesPage {
  entries: ChainedEntry[]
  nextCursor: string | null
}

/** One page of a workspace's entries, newest first, as stored (the IP still sealed). */
export async function selectEntriesPage(
  deps: { db: Database; keyring: Keyring },
  workspaceId: string,
  query: ListEntriesQuery,
): Promise<EntriesPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? defaultPageSize), 1), maxPageSize)
  const filter: WorkspaceEntryFilter = { limit: limit + 1 }
  if (query.cursor !== undefined) filter.beforeSeq = decodeCursor(query.cursor)
  if (query.action !== undefined) filter.action = query.action
  if (query.since !== undefined) filter.since = normalizeTimeBound(query.since, 'since')
  if (query.until !== undefined) filter.until = normalizeTimeBound(query.until, 'until')
  if (query.subjectId !== undefined) {
    filter.subjectRef = await deps.keyring.blindIndexHex(
      workspaceId,
      subjectRefKind,
      query.subjectId,
    )
  }
  const rows = await selectWorkspaceEntries(deps.db, workspaceId, filter)
  const entries = rows.slice(0, limit)
  const last = entries[entries.length - 1]
  return {
    entries,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
  }
}

/**
 * Opens each entry's IP. An actor who was erased (its key crypto-shredded) shows null:
 * the entry stays, the address is gone. An IP that fails its integrity check throws:
 * that is tampering, not absence.
 */
export async function revealIps(
  keyring: Keyring,
  entries: readonly ChainedEntry[],
): Promise<(string | null)[]> {
  const ips: (string | null)[] = []
  for (const entry of entries) {
    if (entry.ip_sealed === null) {
      ips.push(null)
      continue
    }
    const cell = ipCellOf({
      id: entry.id,
      workspaceId: entry.workspace_id,
      actorId: entry.actor_id,
    })
    try {
      ips.push(await keyring.openText(cell, entry.ip_sealed))
    } catch (error) {
      if (isAppError(error) && error.code === 'subject_erased') ips.push(null)
      else throw error
    }
  }
  return ips
}

export function toPage(page: EntriesPage, ips?: readonly (string | null)[]): AuditPage {
  return {
    entries: page.entries.map((entry, index) =>
      ips === undefined ? toEntryView(entry) : { ...toEntryView(entry), ip: ips[index] ?? null },
    ),
    nextCursor: page.nextCursor,
  }
}
