import type { Database } from '../storage/index.js'
import type { BreachAlertsTable, BreachIncidentsTable } from './breach.table.js'

/**
 * SQL of the breach module, nothing else. Every read an operator can reach takes the
 * workspace id; the detection cursor and the clock's scan are instance-wide by design
 * (one job for the instance, under a lease).
 */

const streamSlot = 'stream'

export interface DetectionRow {
  cursorSeq: number
  cursorHash: string
  cursorId: string | null
  state: string
}

export async function selectDetection(db: Database): Promise<DetectionRow | undefined> {
  const row = await db
    .selectFrom('breach_detection')
    .selectAll()
    .where('slot', '=', streamSlot)
    .executeTakeFirst()
  return (
    row && {
      cursorSeq: Number(row.cursor_seq),
      cursorHash: row.cursor_hash,
      cursorId: row.cursor_id,
      state: row.state,
    }
  )
}

/**
 * Moves the cursor from where this pass found it; false when another pass moved it
 * first (its alerts stand, this pass's are dropped with its transaction).
 */
export async function saveDetection(
  trx: Database,
  from: number | null,
  next: DetectionRow,
  now: string,
): Promise<boolean> {
  const values = {
    cursor_seq: next.cursorSeq,
    cursor_hash: next.cursorHash,
    cursor_id: next.cursorId,
    state: next.state,
    updated_at: now,
  }
  if (from === null) {
    const inserted = await trx
      .insertInto('breach_detection')
      .values({ slot: streamSlot, ...values })
      .onConflict((conflict) => conflict.column('slot').doNothing())
      .executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
  }
  const updated = await trx
    .updateTable('breach_detection')
    .set(values)
    .where('slot', '=', streamSlot)
    .where('cursor_seq', '=', from)
    .executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}

export async function insertAlert(trx: Database, alert: BreachAlertsTable): Promise<void> {
  await trx.insertInto('breach_alerts').values(alert).execute()
}

export async function updateAlertDelivery(
  db: Database,
  id: string,
  outcome: { delivery: string; attempts: number; nextDeliveryAt: string | null },
): Promise<void> {
  await db
    .updateTable('breach_alerts')
    .set({
      delivery: outcome.delivery,
      delivery_attempts: outcome.attempts,
      next_delivery_at: outcome.nextDeliveryAt,
    })
    .where('id', '=', id)
    .execute()
}

/** Alerts whose failed webhook is due to be tried again, oldest first. */
export async function selectAlertsDueForDelivery(
  db: Database,
  now: string,
  limit: number,
): Promise<BreachAlertsTable[]> {
  return db
    .selectFrom('breach_alerts')
    .selectAll()
    .where('next_delivery_at', 'is not', null)
    .where('next_delivery_at', '<=', now)
    .orderBy('next_delivery_at')
    .limit(limit)
    .execute()
}

/** A workspace's alerts, newest first; `workspaceId` null lists the platform's own. */
export async function selectAlerts(
  db: Database,
  workspaceId: string | null,
  page: { limit: number; beforeRaisedAt?: string },
): Promise<BreachAlertsTable[]> {
  let query = db.selectFrom('breach_alerts').selectAll()
  query =
    workspaceId === null
      ? query.where('workspace_id', 'is', null)
      : query.where('workspace_id', '=', workspaceId)
  if (page.beforeRaisedAt !== undefined) query = query.where('raised_at', '<', page.beforeRaisedAt)
  return query.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()
}

/** Every alert of the instance, newest first: the platform admin's view (`breach list`). */
export async function selectAllAlerts(db: Database, limit: number): Promise<BreachAlertsTable[]> {
  return db
    .selectFrom('breach_alerts')
    .selectAll()
    .orderBy('raised_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

export async function insertIncident(trx: Database, row: BreachIncidentsTable): Promise<void> {
  await trx.insertInto('breach_incidents').values(row).execute()
}

export async function selectIncident(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<BreachIncidentsTable | undefined> {
  return db
    .selectFrom('breach_incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function selectIncidents(
  db: Database,
  workspaceId: string,
): Promise<BreachIncidentsTable[]> {
  return db
    .selectFrom('breach_incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('discovered_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Every incident of the instance, newest first, for `custodian breach list`. */
export async function selectAllIncidents(db: Database): Promise<BreachIncidentsTable[]> {
  return db
    .selectFrom('breach_incidents')
    .selectAll()
    .orderBy('discovered_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

export async function updateIncident(
  trx: Database,
  workspaceId: string,
  id: string,
  change: Partial<Omit<BreachIncidentsTable, 'id' | 'workspace_id'>>,
): Promise<void> {
  await trx
    .updateTable('breach_incidents')
    .set(change)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

/**
 * Open incidents the authority has not been told of and that were not judged unlikely
 * to be a risk: the clock's job warns on them at 48 hours and flags them at 72.
 */
export async function selectRunningClocks(db: Database): Promise<BreachIncidentsTable[]> {
  return db
    .selectFrom('breach_incidents')
    .selectAll()
    .where('status', '=', 'open')
    .where('authority_notified_at', 'is', null)
    .where((eb) => eb.or([eb('art33_decision', 'is', null), eb('art33_decision', '=', 'notify')]))
    .where((eb) => eb.or([eb('warned_at', 'is', null), eb('overdue_at', 'is', null)]))
    .orderBy('aware_at')
    .execute()
}
