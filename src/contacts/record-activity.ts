import type { Database } from '../storage/index.js'
import { type ActivityRow, touchContactsByExternalIndex } from './contacts.repository.js'

/** An end-user seen at `at`, named by the blind index of their external id. */
export interface ContactSeen {
  workspaceId: string
  externalIdIndex: Buffer
  at: Date
}

/**
 * The ingest path's one write to contacts: every contact named in `seen` gets the latest
 * of its times as last activity, unless it already has a later one (an event replayed or
 * arriving late never moves it back). Pass the caller's transaction so the activity
 * commits with the events that carry it. One statement per 500 distinct contacts,
 * however many events name them; an index no contact has matches nothing.
 *
 * @example
 *   await recordContactActivity(trx, [{ workspaceId, externalIdIndex, at: event.occurredAt }])
 */
export async function recordContactActivity(
  db: Database,
  seen: readonly ContactSeen[],
): Promise<void> {
  if (seen.length === 0) return
  await touchContactsByExternalIndex(db, latestPerContact(seen))
}

/**
 * One row per contact with its latest time, sorted by workspace and index: two writers
 * on PostgreSQL then lock overlapping contacts in the same order.
 */
function latestPerContact(seen: readonly ContactSeen[]): ActivityRow[] {
  const latest = new Map<string, ActivityRow>()
  for (const item of seen) {
    // Digests as latin1 text: one byte per character, a cheap exact key.
    const key = `${item.workspaceId}\u0000${item.externalIdIndex.toString('latin1')}`
    const at = item.at.toISOString()
    const known = latest.get(key)
    if (known === undefined || known.at < at) {
      latest.set(key, {
        workspace_id: item.workspaceId,
        external_id_index: item.externalIdIndex,
        at,
      })
    }
  }
  return [...latest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row)
}
