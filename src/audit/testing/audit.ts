import { sql } from 'kysely'
import { ManualClock } from '../../clock.js'
import type { Keyring } from '../../crypto/index.js'
import type { SealedColumns } from '../../crypto/index.js'
import { openTestKeyring } from '../../crypto/testing/keyring.js'
import type { Logger } from '../../logger.js'
import type { Database, Storage } from '../../storage/index.js'
import type { AuditEvent } from '../audit.logic.js'
import { type AuditLog, createAuditLog } from '../audit.service.js'

export interface TestAuditLog {
  audit: AuditLog
  keyring: Keyring
  clock: ManualClock
  close(): Promise<void>
}

/** A real audit log with a real keyring (fixed test master key) on a test store. */
export async function openTestAuditLog(
  storage: Storage,
  options: {
    clock?: ManualClock
    maxBatch?: number
    soonDelayMs?: number
    logger?: Logger
    sealedColumns?: readonly SealedColumns[]
  } = {},
): Promise<TestAuditLog> {
  const clock = options.clock ?? new ManualClock('2026-03-01T09:00:00Z')
  const { keyring } = await openTestKeyring(storage, {
    clock,
    ...(options.sealedColumns ? { sealedColumns: options.sealedColumns } : {}),
  })
  const audit = createAuditLog({
    db: storage.db,
    keyring,
    clock,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    ...(options.soonDelayMs === undefined ? {} : { soonDelayMs: options.soonDelayMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  return {
    audit,
    keyring,
    clock,
    async close() {
      await audit.close()
      await keyring.close()
    },
  }
}

/** A varied event: every field filled, as a route reading a contact would record it. */
export function sampleEvent(index: number, workspaceId = 'ws-a'): AuditEvent {
  return {
    workspaceId,
    actor: { actorType: 'operator', actorId: `op-${index % 3}` },
    action: index % 2 === 0 ? 'contact.read' : 'contact.updated',
    resource: { type: 'contact', id: `c-${index}` },
    subjectId: `c-${index}`,
    purpose: 'support',
    outcome: 'allowed',
    requestId: `req-${index}`,
    ip: `203.0.113.${index % 250}`,
    details: { fields: ['name', 'attributes'], index },
  }
}

/**
 * Runs raw writes as someone with direct access to the database would: first removing
 * the append-only triggers (as such a person can), then putting them back.
 */
export async function tamper(
  storage: Storage,
  work: (db: Database) => Promise<unknown>,
): Promise<void> {
  const { db } = storage
  if (storage.dialect === 'postgres') {
    await sql`alter table audit_entries disable trigger user`.execute(db)
    await sql`alter table audit_chain_head disable trigger user`.execute(db)
    try {
      await work(db)
    } finally {
      await sql`alter table audit_entries enable trigger user`.execute(db)
      await sql`alter table audit_chain_head enable trigger user`.execute(db)
    }
    return
  }
  const triggers = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master
    where type = 'trigger' and tbl_name in ('audit_entries', 'audit_chain_head')`.execute(db)
  for (const trigger of triggers.rows) await sql`drop trigger ${sql.id(trigger.name)}`.execute(db)
  try {
    await work(db)
  } finally {
    for (const trigger of triggers.rows) await sql.raw(trigger.sql).execute(db)
  }
}
