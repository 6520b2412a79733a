import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import { locksRows } from '../storage/index.js'
import type { Actor } from '../identity/index.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import { appendEntries, headSealerOf } from './append-entries.js'
import {
  type Appender,
  createAppender,
  type RecordedEntry,
  stampEvent,
  toRecorded,
} from './appender.js'
import type { AuditEvent } from './audit.logic.js'
import {
  type AuditPage,
  type ListEntriesQuery,
  revealIps,
  selectEntriesPage,
  toPage,
} from './list-entries.js'
import { type EntryDraft, newSubjectRefCache, sealEntries } from './seal-entries.js'
import { type VerifyOptions, type VerifyReport, verifyChain } from './verify-chain.js'

export interface AuditLogDeps {
  db: Database
  keyring: Keyring
  clock: Clock
  logger?: Logger
  /** Most entries one group-commit transaction takes (default 2000). */
  maxBatch?: number
  /** How long `recordSoon` entries wait for company before they are written (10 ms). */
  soonDelayMs?: number
}

/** Events sealed and ready to append; made by `prepare`, used once. */
export interface PreparedEntries {
  readonly drafts: readonly EntryDraft[]
  readonly headSealer: SubjectSealer
}

/** Who is reading the log, for the entry that records an IP reveal. */
export interface AuditReader {
  actor: Actor
  requestId: string | null
  ip: string | null
}

export interface ListOptions extends ListEntriesQuery {
  /** Open the sealed IPs. Needs a reader: the reveal is itself recorded first. */
  includeIp?: boolean
}

/**
 * The audit log of the instance: record events (group-committed), read a workspace's
 * page, verify the chain. Made once by the composition root and passed to every module
 * that records events; `close()` on shutdown, after the HTTP server has stopped.
 */
export interface AuditLog extends Appender {
  /**
   * Stamps, checks and seals events for `recordInTransaction`, before the caller's
   * transaction begins: sealing may have to make keys, which on SQLite cannot happen
   * inside a transaction that already holds the connection.
   */
  prepare(events: readonly AuditEvent[]): Promise<PreparedEntries>
  /**
   * Appends prepared events inside the caller's write transaction (begun with
   * `inWriteTransaction`), so they commit or roll back with the change they describe.
   * The head stays locked until that transaction ends: keep it short, and never
   * `await record()` inside it (that would wait for the lock this transaction holds).
   */
  recordInTransaction(trx: Database, prepared: PreparedEntries): Promise<RecordedEntry[]>
  listEntries(workspaceId: string, options?: ListOptions, reader?: AuditReader): Promise<AuditPage>
  verify(options?: VerifyOptions): Promise<VerifyReport>
}

export function createAuditLog(deps: AuditLogDeps): AuditLog {
  // One cache of subject refs for both ways in: queued records and prepared entries.
  const subjectRefs = newSubjectRefCache()
  const appender = createAppender({ ...deps, subjectRefs })
  const { db, keyring } = deps

  // A prepared batch goes into the chain once: a second append would duplicate its ids.
  const used = new WeakSet<PreparedEntries>()

  const prepare = async (events: readonly AuditEvent[]): Promise<PreparedEntries> => {
    const stamped = events.map((event) => stampEvent(deps.clock, event))
    const drafts = await sealEntries(keyring, stamped, subjectRefs)
    return Object.freeze({ drafts, headSealer: await headSealerOf(keyring) })
  }

  const recordInTransaction = async (trx: Database, prepared: PreparedEntries) => {
    // On PostgreSQL a transaction is visible as such; SQLite's BEGIN IMMEDIATE runs on a
    // plain connection (see inWriteTransaction), which cannot be told from the pool.
    if (locksRows(trx) && !trx.isTransaction) {
      throw new Error('recordInTransaction needs a transaction begun with inWriteTransaction')
    }
    if (used.has(prepared)) throw new Error('These audit entries were already recorded')
    used.add(prepared)
    const { drafts, headSealer } = prepared
    return (await appendEntries(trx, keyring, headSealer, drafts)).map(toRecorded)
  }

  const listEntries = async (
    workspaceId: string,
    options: ListOptions = {},
    reader?: AuditReader,
  ): Promise<AuditPage> => {
    // Entries queued by `recordSoon` are on the page once the reader asks for it.
    await appender.flush()
    const page = await selectEntriesPage({ db, keyring }, workspaceId, options)
    if (options.includeIp !== true) return toPage(page)
    if (reader === undefined) throw new Error('Revealing audit IPs needs the reader, to audit it')
    const sealed = page.entries.filter((entry) => entry.ip_sealed !== null)
    const newest = sealed[0]
    const oldest = sealed[sealed.length - 1]
    if (newest !== undefined && oldest !== undefined) {
      // An IP is personal data: its reading is on the record before it is shown.
      await appender.record({
        workspaceId,
        actor: reader.actor,
        requestId: reader.requestId,
        ip: reader.ip,
        action: 'audit.ip_revealed',
        resource: { type: 'audit_entries', id: null },
        purpose: 'security-monitoring',
        outcome: 'allowed',
        details: { entries: sealed.length, newestSeq: newest.seq, oldestSeq: oldest.seq },
      })
    }
    return toPage(page, await revealIps(keyring, page.entries))
  }

  return Object.freeze({
    ...appender,
    prepare,
    recordInTransaction,
    listEntries,
    verify: async (options?: VerifyOptions) => {
      await appender.flush()
      return verifyChain({ db, keyring }, options)
    },
  })
}
