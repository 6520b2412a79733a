import type { Clock } from '../clock.js'
import { inWriteTransaction } from '../storage/index.js'
import type { Keyring } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import { appendEntries, headSealerOf } from './append-entries.js'
import { type AuditEvent, checkEvent } from './audit.logic.js'
import type { ChainedEntry } from './chain.logic.js'
import {
  type EntryDraft,
  sealEntries,
  type StampedEvent,
  newSubjectRefCache,
  type SubjectRefCache,
} from './seal-entries.js'

/** Where a recorded event landed in the chain. */
export interface RecordedEntry {
  seq: number
  id: string
  at: string
}

export interface AppenderDeps {
  db: Database
  keyring: Keyring
  clock: Clock
  logger?: Logger
  /** Most entries one transaction takes; a single `recordMany` may exceed it. */
  maxBatch?: number
  /** Subject refs already computed, shared with the log's other sealing path. */
  subjectRefs?: SubjectRefCache
  /** How long `recordSoon` events wait for company before they are written (default 10 ms). */
  soonDelayMs?: number
}

/**
 * Group commit for the audit log. Each `record` resolves only once its entry is
 * durably committed, yet a busy server does not pay one disk sync per entry: calls that
 * arrive while a transaction is being written wait in a queue and all go into the next
 * one. A lone caller gets one transaction of its own, at once.
 */
export interface Appender {
  record(event: AuditEvent): Promise<RecordedEntry>
  /** Several events, committed together in one transaction (all or none). */
  recordMany(events: readonly AuditEvent[]): Promise<RecordedEntry[]>
  /**
   * Queues events for a group commit within a few milliseconds and returns once they
   * are queued, not once they are committed: for the record of something that did not
   * happen (a processing step refused), which the caller must not wait a disk sync for.
   * An event is checked now, so a bad one throws here. A write that fails is logged, as
   * no caller is left to tell; events still queued when the process dies are lost, so
   * anything that lets a change or a read of personal data proceed uses `record`. When
   * the queue is full the call waits for it to be written (back-pressure, never a drop).
   */
  recordSoon(events: readonly AuditEvent[]): Promise<void>
  /** Resolves once everything queued so far is committed (or has failed). */
  flush(): Promise<void>
  /** Drains the queue, then refuses new events. The server calls it on shutdown. */
  close(): Promise<void>
}

interface Pending {
  stamped: StampedEvent[]
  resolve(entries: RecordedEntry[]): void
  reject(error: unknown): void
  /** Queued by `recordSoon`: nobody waits for it, so it may wait for company. */
  soon: boolean
}

interface Sealed {
  pending: Pending
  drafts: EntryDraft[]
}

/** Who a drain writes for: awaited entries, the `recordSoon` timer, or a flush. */
type DrainMode = 'awaited' | 'due' | 'all'

const defaultMaxBatch = 2000
// A refusal's entry waits at most this long for others to share its disk sync with.
const defaultSoonDelayMs = 10

export function createAppender(deps: AppenderDeps): Appender {
  const maxBatch = deps.maxBatch ?? defaultMaxBatch
  const soonDelayMs = deps.soonDelayMs ?? defaultSoonDelayMs
  // Beyond this many queued `recordSoon` entries, callers wait for the queue to drain.
  const maxQueuedSoon = maxBatch * 5
  const subjectRefs = deps.subjectRefs ?? newSubjectRefCache()
  const queue: Pending[] = []
  let queuedSoon = 0
  let awaited = 0
  let draining: Promise<void> | undefined
  let soonTimer: NodeJS.Timeout | undefined
  let closed = false

  const stampAll = (events: readonly AuditEvent[]): StampedEvent[] => {
    if (closed) throw new AppError('unavailable', 'The audit log is closed')
    // Checked now, in the caller's stack: a bad event fails alone, never its batch.
    return events.map((event) => stampEvent(deps.clock, event))
  }

  const enqueue = async (events: readonly AuditEvent[]): Promise<RecordedEntry[]> => {
    const stamped = stampAll(events)
    if (stamped.length === 0) return []
    return new Promise((resolve, reject) => {
      queue.push({ stamped, resolve, reject, soon: false })
      awaited += 1
      void startDrain('awaited')
    })
  }

  const recordSoon = async (events: readonly AuditEvent[]): Promise<void> => {
    const stamped = stampAll(events)
    if (stamped.length === 0) return
    const reject = (error: unknown) => {
      deps.logger?.error(
        { err: error, entries: stamped.length },
        'queued audit entries were not recorded',
      )
    }
    // Queued before any wait: a close() meanwhile drains these too, as it does the rest.
    queue.push({ stamped, resolve: () => undefined, reject, soon: true })
    queuedSoon += stamped.length
    if (queuedSoon >= maxQueuedSoon) await drainAll()
    else if (draining === undefined) scheduleSoon()
  }

  const scheduleSoon = () => {
    soonTimer ??= setTimeout(() => void startDrain('due'), soonDelayMs)
  }

  const startDrain = (mode: DrainMode): Promise<void> => {
    clearTimeout(soonTimer)
    soonTimer = undefined
    draining ??= drain(mode)
    return draining
  }

  /**
   * Writes batches while someone awaits an entry; `recordSoon` entries left alone wait
   * for the timer ('due': one batch of whatever is queued), so that a stream of them
   * shares a disk sync per batch instead of paying one each. 'all' empties the queue.
   */
  const drain = async (mode: DrainMode): Promise<void> => {
    try {
      // Let every caller of this tick join the first batch.
      await Promise.resolve()
      let due = mode !== 'awaited'
      while (queue.length > 0 && (due || awaited > 0 || queuedSoon >= maxBatch)) {
        due = mode === 'all'
        await writeBatch(take(maxBatch))
      }
    } finally {
      draining = undefined
      if (queue.length > 0) scheduleSoon()
    }
  }

  const take = (max: number): Pending[] => {
    const batch = takeBatch(queue, max)
    for (const pending of batch) {
      if (pending.soon) queuedSoon -= pending.stamped.length
      else awaited -= 1
    }
    return batch
  }

  /** Everything queued so far, written now, whoever waits for it. */
  const drainAll = async (): Promise<void> => {
    while (queue.length > 0 || draining !== undefined) {
      await (draining ?? startDrain('all'))
    }
  }

  const writeBatch = async (batch: Pending[]): Promise<void> => {
    const ready = await sealBatch(batch)
    if (ready.length === 0) return
    try {
      const headSealer = await headSealerOf(deps.keyring)
      const chained = await inWriteTransaction(deps.db, (trx) =>
        appendEntries(
          trx,
          deps.keyring,
          headSealer,
          ready.flatMap((item) => item.drafts),
        ),
      )
      let offset = 0
      for (const { pending, drafts } of ready) {
        pending.resolve(chained.slice(offset, offset + drafts.length).map(toRecorded))
        offset += drafts.length
      }
    } catch (error) {
      deps.logger?.error({ err: error, entries: ready.length }, 'audit append failed')
      for (const { pending } of ready) pending.reject(error)
    }
  }

  /**
   * Seals the whole batch with one key look-up per workspace. Should that fail, each
   * caller's events are sealed on their own, so one caller's failure (a key that cannot
   * be made) does not fail the others.
   */
  const sealBatch = async (batch: Pending[]): Promise<Sealed[]> => {
    try {
      const drafts = await sealEntries(
        deps.keyring,
        batch.flatMap((pending) => pending.stamped),
        subjectRefs,
      )
      let offset = 0
      return batch.map((pending) => {
        const mine = drafts.slice(offset, offset + pending.stamped.length)
        offset += pending.stamped.length
        return { pending, drafts: mine }
      })
    } catch {
      const ready: Sealed[] = []
      for (const pending of batch) {
        try {
          const drafts = await sealEntries(deps.keyring, pending.stamped, subjectRefs)
          ready.push({ pending, drafts })
        } catch (error) {
          pending.reject(error)
        }
      }
      return ready
    }
  }

  const flush = drainAll

  return Object.freeze({
    record: async (event: AuditEvent) => {
      const [entry] = await enqueue([event])
      if (entry === undefined) throw new Error('An audit event was not recorded')
      return entry
    },
    recordMany: enqueue,
    recordSoon,
    flush,
    async close() {
      closed = true
      await flush()
    },
  })
}

/** Gives an event its id and time now, when it happened, not when its batch commits. */
export function stampEvent(clock: Clock, event: AuditEvent): StampedEvent {
  const checked = checkEvent(event)
  const now = clock.now()
  return { id: newId(now), at: now.toISOString(), event: checked }
}

export function toRecorded(entry: ChainedEntry): RecordedEntry {
  return { seq: entry.seq, id: entry.id, at: entry.at }
}

/** Whole callers, oldest first, up to `maxBatch` entries (at least one caller). */
function takeBatch(queue: Pending[], maxBatch: number): Pending[] {
  let count = 0
  let entries = 0
  for (const pending of queue) {
    if (count > 0 && entries + pending.stamped.length > maxBatch) break
    count += 1
    entries += pending.stamped.length
  }
  return queue.splice(0, count)
}
