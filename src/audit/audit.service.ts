import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/keyring.js'
import type { Actor } from '../identity/principal.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/database.js'
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
import { sealEntries } from './seal-entries.js'
import { type VerifyOptions, type VerifyReport, verifyChain } from './verify-chain.js'

export interface AuditLogDeps {
  db: Database
  keyring: Keyring
  clock: Clock
  logger?: Logger
  /** Most entries one group-commit transaction takes (default 2000). */
  maxBatch?: number
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
   * Records inside the caller's write transaction (begun with `inWriteTransaction`), so
   * the entries commit or roll back with the change they describe. The head stays
   * locked until that transaction ends: keep it short, and never `await record()` inside
   * it (that would wait for the lock this transaction holds).
   */
  recordInTransaction(trx: Database, events: readonly AuditEvent[]): Promise<RecordedEntry[]>
  listEntries(workspaceId: string, options?: ListOptions, reader?: AuditReader): Promise<AuditPage>
  verify(options?: VerifyOptions): Promise<VerifyReport>
}

export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const appender = createAppender(deps)
  const { db, keyring } = deps

  const recordInTransaction = async (trx: Database, events: readonly AuditEvent[]) => {
    if (!trx.isTransaction) {
      throw new Error('recordInTransaction needs a transaction begun with inWriteTransaction')
    }
    const stamped = events.map((event) => stampEvent(deps.clock, event))
    const drafts = await sealEntries(keyring, stamped, { db: trx })
    const headSealer = await headSealerOf(keyring, { db: trx })
    return (await appendEntries(trx, keyring, headSealer, drafts)).map(toRecorded)
  }

  const listEntries = async (
    workspaceId: string,
    options: ListOptions = {},
    reader?: AuditReader,
  ): Promise<AuditPage> => {
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
    recordInTransaction,
    listEntries,
    verify: async (options?: VerifyOptions) => verifyChain({ db, keyring }, options),
  })
}
