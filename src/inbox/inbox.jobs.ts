import type { Job } from '../jobs/index.js'
import { reclaimDeadRows } from '../storage/index.js'
import { listAllWorkspaces } from '../workspaces/index.js'
import type { InboxDeps } from './inbox.deps.js'
import { wakeSnoozedConversations } from './inbox.repository.js'

const system = Object.freeze({ actorType: 'system' as const, actorId: null })

/**
 * The inbox's periodic work.
 *
 * `inbox-wake-snoozed`: a snoozed conversation comes back open when its `snoozedUntil`
 * passes, so that nobody's request is forgotten behind a snooze; each one woken is
 * audited as a change by the system.
 *
 * `inbox-reclaim-shredded`: on PostgreSQL a redaction leaves the sealed original in a
 * dead tuple of `inbox_messages` and the destroyed key's wrapped bytes in one of
 * `subject_keys` (MVCC), until VACUUM prunes them; autovacuum waits for a fifth of a
 * large table to be dead first. Shredding already makes the original unreadable to
 * every key the instance holds (Art. 17, Art. 32(1)(a)); this hands the space those
 * tuples took back to be overwritten within the quarter hour, batching every
 * redaction (and erasure) of the period into one VACUUM. SQLite zeroes the bytes as it
 * redacts (`inErasingTransaction`), so the job does nothing there.
 */
export function inboxJobs(deps: Pick<InboxDeps, 'db' | 'audit' | 'clock'>): Job[] {
  return [
    {
      name: 'inbox-wake-snoozed',
      everyMs: 60_000,
      leaseMs: 5 * 60_000,
      run: async () => `${await wakeSnoozed(deps)} conversations woken`,
    },
    {
      name: 'inbox-reclaim-shredded',
      everyMs: 15 * 60_000,
      leaseMs: 10 * 60_000,
      run: async () =>
        (await reclaimDeadRows(deps.db, ['inbox_messages', 'subject_keys']))
          ? 'dead tuples of inbox_messages and subject_keys vacuumed'
          : 'nothing to do: SQLite zeroes freed bytes as it redacts',
    },
  ]
}

/** Opens every conversation whose snooze has ended, workspace by workspace; how many. */
export async function wakeSnoozed(
  deps: Pick<InboxDeps, 'db' | 'audit' | 'clock'>,
): Promise<number> {
  const now = deps.clock.now().toISOString()
  let woken = 0
  for (const workspace of await listAllWorkspaces(deps.db)) {
    const rows = await wakeSnoozedConversations(deps.db, workspace.id, now)
    if (rows.length === 0) continue
    woken += rows.length
    await deps.audit.recordMany(
      rows.map((row) => ({
        workspaceId: workspace.id,
        actor: system,
        action: 'inbox.conversation_changed' as const,
        outcome: 'succeeded' as const,
        resource: { type: 'conversation', id: row.id },
        subjectId: row.subject_id,
        purpose: 'support',
        details: { fields: 'state', state: 'open' },
      })),
    )
  }
  return woken
}
