import { type ExpressionBuilder, sql } from 'kysely'
import { dialectOf, padToSizeClass } from '../storage/index.js'
import type { Database } from '../storage/index.js'
import type { DB } from '../storage/index.js'
import type { TrackingEventsTable } from './tracking.table.js'

// SQL of the tracking module. Every function takes the workspace id (or rows that
// carry it) and never reads another module's tables.

/** Rows per INSERT: 14 parameters each stays far below SQLite's and PostgreSQL's limits. */
const rowsPerStatement = 1_000

/**
 * Inserts events, skipping any whose (workspace, id) is already stored: a retried
 * batch adds nothing. Returns the keys actually inserted, `workspace_id id`.
 */
export async function insertEvents(
  db: Database,
  rows: readonly TrackingEventsTable[],
): Promise<Set<string>> {
  const inserted = new Set<string>()
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement)
    const returned = await db
      .insertInto('tracking_events')
      .values(chunk)
      .onConflict((conflict) => conflict.columns(['workspace_id', 'id']).doNothing())
      .returning(['workspace_id', 'id'])
      .execute()
    for (const row of returned) inserted.add(eventKey(row.workspace_id, row.id))
  }
  return inserted
}

export function eventKey(workspaceId: string, eventId: string): string {
  return `${workspaceId} ${eventId}`
}

/**
 * One person's events, newest first: those carrying the identifier's blind index, and
 * those made under any of the person's subjects (`subjectIds`: events before
 * identify were sealed under the visitor's anonymous subject). One statement, so the
 * order and the cursor (the last row's `received_at` and `id`; ids are unique per
 * workspace, so the order is total) hold across the whole history.
 */
export async function selectEventsOfPerson(
  db: Database,
  workspaceId: string,
  person: {
    column: 'anonymous_index' | 'external_index'
    index: Buffer
    subjectIds: readonly string[]
  },
  page: { limit: number; before?: { receivedAt: string; id: string } },
): Promise<TrackingEventsTable[]> {
  let query = db
    .selectFrom('tracking_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      person.subjectIds.length === 0
        ? eb(person.column, '=', person.index)
        : eb.or([eb(person.column, '=', person.index), subjectIdIn(db, person.subjectIds)]),
    )
  const before = page.before
  if (before !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('received_at', '<', before.receivedAt),
        eb.and([eb('received_at', '=', before.receivedAt), eb('id', '<', before.id)]),
      ]),
    )
  }
  return query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()
}

/**
 * `subject_id` is one of `ids`, bound as ONE parameter however many there are: a person
 * linked from thousands of visitors (one anonymous subject per browser) stays one
 * statement, under both dialects' parameter limits.
 */
function subjectIdIn(db: Database, ids: readonly string[]) {
  if (dialectOf(db) === 'postgres') return sql<boolean>`subject_id = any(${[...ids]}::text[])`
  // A person has a handful of subjects: a plain list, padded to a size class so the
  // statement is prepared once per class, is an equality look-up on the subject index.
  // A json_each subquery made SQLite's planner read the workspace's events instead.
  if (ids.length <= 256) {
    const padded = padToSizeClass(ids, '')
    return sql<boolean>`subject_id in (${sql.join(padded)})`
  }
  return sql<boolean>`subject_id in (select value from json_each(${JSON.stringify(ids)}))`
}

/** Deletes every event sealed under these subjects; returns how many went. */
export async function deleteEventsOfSubjects(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<number> {
  let deleted = 0
  for (let start = 0; start < subjectIds.length; start += rowsPerStatement) {
    const result = await db
      .deleteFrom('tracking_events')
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', subjectIds.slice(start, start + rowsPerStatement))
      .executeTakeFirst()
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}

/** The events one person's identifiers or key holders name, as a filter. */
interface PersonFilter {
  anonymousIndexes: readonly Buffer[]
  externalIndexes: readonly Buffer[]
  subjectIds: readonly string[]
}

/**
 * The person's events as `id in (… union all … union all …)`: one look-up per kind of
 * key, each an equality on both columns of its own index, and the events then fetched
 * by primary key. One `or` of the three made SQLite (without fresh statistics, or when
 * a grouping favoured one index) read every event of the workspace to find one
 * person's, so an export or an erasure grew with the store; this grows with the
 * person's own events. `union all`: a duplicate id changes nothing under `in`.
 */
function personFilter(db: Database, workspaceId: string, person: PersonFilter) {
  const ofWorkspace = () =>
    db.selectFrom('tracking_events').select('id').where('workspace_id', '=', workspaceId)
  const branches = [
    ...(person.anonymousIndexes.length > 0
      ? [ofWorkspace().where('anonymous_index', 'in', [...person.anonymousIndexes])]
      : []),
    ...(person.externalIndexes.length > 0
      ? [ofWorkspace().where('external_index', 'in', [...person.externalIndexes])]
      : []),
    // However many subjects a person has, one parameter (see subjectIdIn).
    ...(person.subjectIds.length > 0
      ? [ofWorkspace().where(subjectIdIn(db, person.subjectIds))]
      : []),
  ]
  const [first, ...rest] = branches
  if (first === undefined) throw new Error('A person filter needs at least one key')
  const union = rest.reduce((query, branch) => query.unionAll(branch), first)
  return (eb: ExpressionBuilder<DB, 'tracking_events'>) => eb('id', 'in', union)
}

/** Erasure: the events a person's key holders or identifiers name; returns how many. */
export async function deleteEventsOfPerson(
  db: Database,
  workspaceId: string,
  person: PersonFilter,
): Promise<number> {
  if (
    person.anonymousIndexes.length + person.externalIndexes.length + person.subjectIds.length ===
    0
  ) {
    return 0
  }
  const result = await db
    .deleteFrom('tracking_events')
    .where('workspace_id', '=', workspaceId)
    .where(personFilter(db, workspaceId, person))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * What a person's events carry, without reading them: how many, the subjects they are
 * sealed under and the identifiers' blind indexes on them.
 */
export async function summariseEventsOfPerson(
  db: Database,
  workspaceId: string,
  person: PersonFilter,
): Promise<{
  events: number
  subjectIds: string[]
  anonymousIndexes: Buffer[]
  externalIndexes: Buffer[]
}> {
  const empty = { events: 0, subjectIds: [], anonymousIndexes: [], externalIndexes: [] }
  if (
    person.anonymousIndexes.length + person.externalIndexes.length + person.subjectIds.length ===
    0
  ) {
    return empty
  }
  // One row per event of the person, grouped here: a `group by` in SQL lets the
  // planner prefer the index that orders the groups over the ones that find the person.
  const groups = await db
    .selectFrom('tracking_events')
    .select(['subject_id', 'anonymous_index', 'external_index'])
    .where('workspace_id', '=', workspaceId)
    .where(personFilter(db, workspaceId, person))
    .execute()
  const distinct = (values: (Buffer | null)[]) => [
    ...new Map(
      values.filter((value) => value !== null).map((value) => [value.toString('hex'), value]),
    ).values(),
  ]
  return {
    events: groups.length,
    subjectIds: [...new Set(groups.map((group) => group.subject_id))].sort(),
    anonymousIndexes: distinct(groups.map((group) => group.anonymous_index)),
    externalIndexes: distinct(groups.map((group) => group.external_index)),
  }
}

/** A page of a person's events, oldest first, after the event `afterId` (an export). */
export async function selectEventsOfPersonPage(
  db: Database,
  workspaceId: string,
  person: PersonFilter,
  page: { afterId?: string; limit: number },
): Promise<TrackingEventsTable[]> {
  let query = db
    .selectFrom('tracking_events')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where(personFilter(db, workspaceId, person))
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId)
  return query.orderBy('id').limit(page.limit).execute()
}

/** Events of a workspace received before `cutoff`: what its retention period has ended for. */
export async function countEventsReceivedBefore(
  db: Database,
  workspaceId: string,
  cutoff: string,
): Promise<number> {
  const row = await db
    .selectFrom('tracking_events')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('received_at', '<', cutoff)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/**
 * Deletes the oldest `limit` events received before `cutoff`, walking the
 * (workspace_id, received_at, id) index: one short batch of the retention purge.
 */
export async function deleteEventsReceivedBefore(
  trx: Database,
  workspaceId: string,
  cutoff: string,
  limit: number,
): Promise<number> {
  const result = await trx
    .deleteFrom('tracking_events')
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('tracking_events')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('received_at', '<', cutoff)
        .orderBy('received_at')
        .limit(limit),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
