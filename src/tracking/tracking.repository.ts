import { sql } from 'kysely'
import { dialectOf } from '../storage/column-types.js'
import type { Database } from '../storage/database.js'
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
 * those made under any of the person's consent subjects (`subjectIds`: events before
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
  return dialectOf(db) === 'postgres'
    ? sql<boolean>`subject_id = any(${[...ids]}::text[])`
    : sql<boolean>`subject_id in (select value from json_each(${JSON.stringify(ids)}))`
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
