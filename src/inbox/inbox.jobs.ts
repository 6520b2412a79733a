import type { Job } from '../jobs/index.js'
import { reclaimDeadRows } from '../storage/index.js'
import type { InboxDeps } from './inbox.deps.js'

/**
 * The inbox's periodic work. On PostgreSQL a redaction leaves the sealed original in a
 * dead tuple of `inbox_messages` and the destroyed key's wrapped bytes in one of
 * `subject_keys` (MVCC), until VACUUM prunes them; autovacuum waits for a fifth of a
 * large table to be dead first. Shredding already makes the original unreadable to
 * every key the instance holds (Art. 17, Art. 32(1)(a)); this hands the space those
 * tuples took back to be overwritten within the quarter hour, batching every
 * redaction (and erasure) of the period into one VACUUM. SQLite zeroes the bytes as it
 * redacts (`inErasingTransaction`), so the job does nothing there.
 */
export function inboxJobs(deps: Pick<InboxDeps, 'db'>): Job[] {
  return [
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
