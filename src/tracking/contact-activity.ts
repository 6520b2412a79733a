import { findExternalIdIndexes } from '../subjects/index.js'
import type { ContactSeen } from '../contacts/index.js'
import type { TrackingDeps } from './tracking.deps.js'
import type { TrackingEventsTable } from './tracking.table.js'

/**
 * Which contact an event moves (the CRM's "last activity"), by the blind index of the
 * external id the contact holds: the one the event names itself, else the one identify
 * linked its subject to. The same two ways `readEvents` finds a person's events.
 * A visitor never identified has neither, and moves nothing.
 */

/** The external id's blind index of each subject linked to one. */
export type ContactIndexBySubject = ReadonlyMap<string, Buffer>

/**
 * The link of the subjects whose rows name no external id (an anonymous-only event after
 * identify, as a server sends it): one read of the consent ledger per request, none when
 * every row names its external id.
 */
export async function contactIndexesOf(
  deps: Pick<TrackingDeps, 'db'>,
  workspaceId: string,
  rows: readonly TrackingEventsTable[],
): Promise<ContactIndexBySubject> {
  const subjectIds = new Set<string>()
  for (const row of rows) if (row.external_index === null) subjectIds.add(row.subject_id)
  return findExternalIdIndexes(deps, { workspaceId, subjectIds: [...subjectIds] })
}

/** An event row newly stored, with the links of the request that brought it. */
export interface StoredEvent {
  row: TrackingEventsTable
  links: ContactIndexBySubject
}

/**
 * Per contact, the latest time one of these events happened. Times are compared as the
 * ISO 8601 UTC text the rows hold (one format, so text order is time order); only the
 * winners become dates.
 */
export function contactActivityOf(stored: Iterable<StoredEvent>): ContactSeen[] {
  const latest = new Map<string, { workspaceId: string; index: Buffer; at: string }>()
  for (const { row, links } of stored) {
    const index = row.external_index ?? links.get(row.subject_id)
    if (index === undefined) continue
    const key = `${row.workspace_id}\u0000${index.toString('latin1')}`
    const known = latest.get(key)
    if (known === undefined) {
      latest.set(key, { workspaceId: row.workspace_id, index, at: row.occurred_at })
    } else if (known.at < row.occurred_at) known.at = row.occurred_at
  }
  return [...latest.values()].map((item) => ({
    workspaceId: item.workspaceId,
    externalIdIndex: item.index,
    at: new Date(item.at),
  }))
}
