import { sql } from 'kysely'
import { newId } from '../ids.js'
import { type Database, dialectOf } from '../storage/index.js'
import type {
  RightsLegalHoldsTable,
  RightsRequestEventsTable,
  RightsRequestsTable,
} from './rights.table.js'

/** Every query here names its workspace: a request id alone opens nothing (tenant walls). */

export async function insertRequest(trx: Database, row: RightsRequestsTable): Promise<void> {
  await trx.insertInto('rights_requests').values(row).execute()
}

export async function findRequest(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<RightsRequestsTable | undefined> {
  return db
    .selectFrom('rights_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function updateRequest(
  trx: Database,
  workspaceId: string,
  id: string,
  changes: Partial<RightsRequestsTable>,
): Promise<void> {
  await trx
    .updateTable('rights_requests')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute()
}

export async function appendEvent(
  trx: Database,
  event: Omit<RightsRequestEventsTable, 'id'>,
): Promise<void> {
  await trx
    .insertInto('rights_request_events')
    .values({ id: newId(new Date(event.at)), ...event })
    .execute()
}

export async function listEvents(
  db: Database,
  workspaceId: string,
  requestId: string,
): Promise<RightsRequestEventsTable[]> {
  return db
    .selectFrom('rights_request_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute()
}

const openStatuses = ['received', 'verifying', 'in-progress']

/** The oldest open request of the same type for the same person, if any. */
export async function findOpenDuplicate(
  trx: Database,
  workspaceId: string,
  type: string,
  subjectIndex: Buffer,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('rights_requests')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('subject_index', '=', subjectIndex)
    .where('type', '=', type)
    .where('status', 'in', openStatuses)
    .orderBy('id')
    .executeTakeFirst()
  return row?.id
}

/** Portal filings since a time, by the person's index or by the address they came from. */
export async function countPortalFilings(
  trx: Database,
  workspaceId: string,
  by: { subjectIndex: Buffer } | { fromIndex: Buffer },
  sinceIso: string,
): Promise<number> {
  let query = trx
    .selectFrom('rights_requests')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', 'portal')
    .where('created_at', '>', sinceIso)
  query =
    'subjectIndex' in by
      ? query.where('subject_index', '=', by.subjectIndex)
      : query.where('filed_from_index', '=', by.fromIndex)
  const row = await query.executeTakeFirstOrThrow()
  return Number(row.count)
}

export interface RequestFilters {
  status?: string
  type?: string
  /** Open requests whose `dueAt` has passed at this instant. */
  overdueAt?: string
  limit: number
  /** Continue after this (due_at, id). */
  after?: { dueAt: string; id: string }
}

/** The queue, soonest due first: what needs answering next comes first. */
export async function listRequestRows(
  db: Database,
  workspaceId: string,
  filters: RequestFilters,
): Promise<RightsRequestsTable[]> {
  let query = db.selectFrom('rights_requests').selectAll().where('workspace_id', '=', workspaceId)
  if (filters.status !== undefined) query = query.where('status', '=', filters.status)
  if (filters.type !== undefined) query = query.where('type', '=', filters.type)
  if (filters.overdueAt !== undefined) {
    query = query.where('status', 'in', openStatuses).where('due_at', '<', filters.overdueAt)
  }
  const after = filters.after
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('due_at', '>', after.dueAt),
        eb.and([eb('due_at', '=', after.dueAt), eb('id', '>', after.id)]),
      ]),
    )
  }
  return query.orderBy('due_at').orderBy('id').limit(filters.limit).execute()
}

/** Requests of every workspace, or of one, soonest due first: the instance's queue. */
export async function listQueueRows(
  db: Database,
  filters: { workspaceId?: string; overdueAt?: string; openOnly: boolean },
): Promise<RightsRequestsTable[]> {
  let query = db.selectFrom('rights_requests').selectAll()
  if (filters.workspaceId !== undefined)
    query = query.where('workspace_id', '=', filters.workspaceId)
  if (filters.openOnly || filters.overdueAt !== undefined) {
    query = query.where('status', 'in', openStatuses)
  }
  if (filters.overdueAt !== undefined) query = query.where('due_at', '<', filters.overdueAt)
  return query.orderBy('due_at').orderBy('id').execute()
}

/** The request a download link belongs to: the person's own link, or its agent's. */
export async function findByExportToken(
  db: Database,
  hash: string,
): Promise<RightsRequestsTable | undefined> {
  return db
    .selectFrom('rights_requests')
    .selectAll()
    .where((eb) =>
      eb.or([eb('export_token_hash', '=', hash), eb('agent_export_token_hash', '=', hash)]),
    )
    .executeTakeFirst()
}

/** Some requests of one workspace by id, in no particular order; unknown ids are left out. */
export async function findRequestsByIds(
  db: Database,
  workspaceId: string,
  ids: readonly string[],
): Promise<RightsRequestsTable[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('rights_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...ids])
    .execute()
}

/** Open requests of every workspace, for the reminder job. */
export async function selectOpenRequests(db: Database): Promise<RightsRequestsTable[]> {
  return db
    .selectFrom('rights_requests')
    .selectAll()
    .where('status', 'in', openStatuses)
    .orderBy('due_at')
    .execute()
}

export async function insertHold(trx: Database, row: RightsLegalHoldsTable): Promise<void> {
  await trx.insertInto('rights_legal_holds').values(row).execute()
}

export async function activeHolds(
  db: Database,
  workspaceId: string,
  subjectIndexes: readonly Buffer[],
): Promise<RightsLegalHoldsTable[]> {
  if (subjectIndexes.length === 0) return []
  return db
    .selectFrom('rights_legal_holds')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject_index', 'in', subjectIndexes)
    .where('lifted_at', 'is', null)
    .orderBy('id')
    .execute()
}

export async function listHoldRows(
  db: Database,
  workspaceId: string,
  includeLifted: boolean,
): Promise<RightsLegalHoldsTable[]> {
  let query = db
    .selectFrom('rights_legal_holds')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
  if (!includeLifted) query = query.where('lifted_at', 'is', null)
  return query.orderBy('id').execute()
}

export async function liftHoldRow(
  trx: Database,
  workspaceId: string,
  id: string,
  nowIso: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('rights_legal_holds')
    .set({ lifted_at: nowIso })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Serialises concurrent writers on one key inside a write transaction: on PostgreSQL an
 * advisory lock held to the end of the transaction; SQLite's write transaction already
 * holds the whole file. So a rate limit's count-then-insert holds under concurrency.
 */
export async function serialiseOn(trx: Database, key: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx)
  }
}
