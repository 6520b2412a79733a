import { recordContactActivity } from '../contacts/index.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import {
  type ContactIndexBySubject,
  contactActivityOf,
  type StoredEvent,
} from './contact-activity.js'
import { eventKey, insertEvents } from './tracking.repository.js'
import type { TrackingEventsTable } from './tracking.table.js'

/**
 * Group commit for ingest. Each request hands its sealed rows to `write` and waits;
 * rows that arrive while a transaction is committing wait for the next one, which then
 * takes all of them at once. Under load one commit (one fsync on SQLite with
 * synchronous=FULL) carries many requests' events; when idle a request is written at
 * once, with no timer adding latency. A request is answered only after the commit
 * that holds its rows: an acknowledged event survives a crash.
 *
 * The same transaction moves the last activity of the contacts the new rows belong to
 * (`links`: see contact-activity.ts), one statement for the whole group: an event is
 * never stored without its activity, nor the activity without the event.
 */
export interface EventWriter {
  /** Resolves after commit with, per row, whether it was new (false: its id was stored). */
  write(rows: readonly TrackingEventsTable[], links?: ContactIndexBySubject): Promise<boolean[]>
  /** Waits for everything queued to be written; later writes are refused. */
  close(): Promise<void>
  /** Transactions committed and rows written so far: how well requests are grouped. */
  stats(): { commits: number; rows: number }
}

interface Pending {
  rows: readonly TrackingEventsTable[]
  links: ContactIndexBySubject
  resolve: (inserted: boolean[]) => void
  reject: (error: unknown) => void
}

export interface EventWriterOptions {
  /** Stop adding requests to a transaction past this many rows (bounds its duration). */
  maxRowsPerCommit?: number
  logger?: Logger
}

export function createEventWriter(db: Database, options: EventWriterOptions = {}): EventWriter {
  const maxRows = options.maxRowsPerCommit ?? 5_000
  let queue: Pending[] = []
  let draining: Promise<void> | undefined
  let closed = false
  const counters = { commits: 0, rows: 0 }
  const commit = async (group: readonly Pending[]) => {
    const fresh = await commitGroup(db, group)
    counters.commits += 1
    counters.rows += fresh.reduce((sum, flags) => sum + flags.filter(Boolean).length, 0)
    return fresh
  }

  const takeGroup = (): Pending[] => {
    let rows = 0
    let count = 0
    while (
      count < queue.length &&
      (count === 0 || rows + (queue[count]?.rows.length ?? 0) <= maxRows)
    ) {
      rows += queue[count]?.rows.length ?? 0
      count += 1
    }
    const group = queue.slice(0, count)
    queue = queue.slice(count)
    return group
  }

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      // Let requests already under way catch up before the transaction begins. On
      // SQLite every query shares one connection, so requests that were waiting for it
      // behind the last commit run their reads now and join this group, instead of
      // each paying an fsync of its own. Idle, this costs one turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve))
      const group = takeGroup()
      try {
        settle(group, await commit(group))
      } catch (error) {
        // One request's bad row must not fail the others that shared its transaction:
        // each is retried alone, and only its own failure reaches it.
        if (group.length === 1) group[0]?.reject(error)
        else await commitEachAlone(commit, group, options.logger)
      }
    }
  }

  const kick = () => {
    draining ??= drain().finally(() => {
      draining = undefined
      // Rows queued while the last `finally` ran must not wait for another request.
      if (queue.length > 0) kick()
    })
  }

  return {
    write(rows, links = noLinks) {
      if (closed) return Promise.reject(new Error('The event writer is closed'))
      if (rows.length === 0) return Promise.resolve([])
      const written = new Promise<boolean[]>((resolve, reject) => {
        queue.push({ rows, links, resolve, reject })
      })
      kick()
      return written
    },
    async close() {
      closed = true
      while (draining !== undefined) await draining
    },
    stats: () => ({ ...counters }),
  }
}

const noLinks: ContactIndexBySubject = new Map()

/**
 * One transaction for the whole group: the rows, then the activity of the new ones.
 * Returns, per request and row, whether the row was new.
 */
async function commitGroup(db: Database, group: readonly Pending[]): Promise<boolean[][]> {
  // In key order: two processes inserting overlapping replays on PostgreSQL take their
  // row locks in the same order and cannot deadlock.
  const rows = group
    .flatMap((pending) => pending.rows)
    .sort((a, b) => compareKeys(eventKey(a.workspace_id, a.id), eventKey(b.workspace_id, b.id)))
  return inWriteTransaction(db, async (trx) => {
    const fresh = freshRows(group, await insertEvents(trx, rows))
    // Only what was stored now counts: a replay was counted when first stored.
    await recordContactActivity(trx, contactActivityOf(storedEvents(group, fresh)))
    return fresh
  })
}

function* storedEvents(group: readonly Pending[], fresh: boolean[][]): Generator<StoredEvent> {
  for (const [position, pending] of group.entries()) {
    const flags = fresh[position] ?? []
    for (const [index, row] of pending.rows.entries()) {
      if (flags[index] === true) yield { row, links: pending.links }
    }
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

async function commitEachAlone(
  commit: (group: readonly Pending[]) => Promise<boolean[][]>,
  group: readonly Pending[],
  logger?: Logger,
) {
  logger?.warn({ requests: group.length }, 'a grouped event commit failed; retrying each alone')
  for (const pending of group) {
    try {
      settle([pending], await commit([pending]))
    } catch (error) {
      pending.reject(error)
    }
  }
}

/**
 * Which of each request's rows were new. Within one group the first row with a key
 * wins: `ON CONFLICT DO NOTHING` stored it once and a later copy is a replay.
 */
function freshRows(group: readonly Pending[], inserted: Set<string>): boolean[][] {
  const claimed = new Set<string>()
  return group.map((pending) =>
    pending.rows.map((row) => {
      const key = eventKey(row.workspace_id, row.id)
      if (!inserted.has(key) || claimed.has(key)) return false
      claimed.add(key)
      return true
    }),
  )
}

/** Tells each request which of its rows were new. */
function settle(group: readonly Pending[], fresh: boolean[][]): void {
  group.forEach((pending, position) => pending.resolve(fresh[position] ?? []))
}
