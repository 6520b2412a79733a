import { CompiledQuery } from 'kysely'
import { dialectOf } from '../storage/index.js'
import type { Database } from '../storage/index.js'
import { insertRows } from '../storage/index.js'
import { withSqliteConnection } from '../storage/index.js'
import { locksRows } from '../storage/index.js'
import { canonicalRowsText, chainRowsText } from './chain-queries.js'
import {
  type CanonicalRow,
  type ChainedEntry,
  entryColumns,
  rowOf,
  type StoredEntry,
  type StoredRow,
} from './chain.logic.js'

/**
 * SQL of the audit log, nothing else. The chain is one per instance, so the chain
 * functions (head, append, walk) are instance-wide by design; every read a workspace
 * can reach (`selectWorkspaceEntries`) takes the workspace id and filters by it.
 */
export interface ChainHead {
  seq: number
  lastId: string | null
  hash: Buffer
  seal: Buffer | null
}

const headSlot = 'head'

export function toSeq(value: number | string): number {
  const seq = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(seq)) throw new Error('An audit seq is not a safe integer')
  return seq
}

export async function selectHead(db: Database): Promise<ChainHead | undefined> {
  const row = await db
    .selectFrom('audit_chain_head')
    .select(['seq', 'last_id', 'hash', 'seal'])
    .where('slot', '=', headSlot)
    .executeTakeFirst()
  return row && { seq: toSeq(row.seq), lastId: row.last_id, hash: row.hash, seal: row.seal }
}

/**
 * Reads the head inside a write transaction, locked: on PostgreSQL FOR UPDATE makes
 * every other appender (any process) wait until this transaction ends, then read the
 * head it wrote; on SQLite the transaction already holds the file's write lock.
 */
export async function lockHead(trx: Database): Promise<ChainHead> {
  let query = trx
    .selectFrom('audit_chain_head')
    .select(['seq', 'last_id', 'hash', 'seal'])
    .where('slot', '=', headSlot)
  if (locksRows(trx)) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (row === undefined) throw new Error('The audit chain head is missing: run the migrations')
  return { seq: toSeq(row.seq), lastId: row.last_id, hash: row.hash, seal: row.seal }
}

export async function insertEntries(
  trx: Database,
  entries: readonly ChainedEntry[],
): Promise<void> {
  await insertRows(trx, 'audit_entries', entryColumns, entries)
}

export async function updateHead(trx: Database, head: ChainHead): Promise<void> {
  await trx
    .updateTable('audit_chain_head')
    .set({ seq: head.seq, last_id: head.lastId, hash: head.hash, seal: head.seal })
    .where('slot', '=', headSlot)
    .execute()
}

/**
 * Entries `after < seq ≤ upTo`, oldest first, at most `limit`: one page of the
 * verification walk, as rows in canonical order (StoredRow). The binary columns come
 * back as lower-case hex text, converted by the database: the walk hashes hex anyway,
 * and a string per value is far cheaper to read than a Buffer. On SQLite the rows come
 * straight from the driver as arrays: reading them is most of what verification costs,
 * and an array per row is far cheaper than an object.
 */
export async function selectChainRows(
  db: Database,
  after: number,
  upTo: number,
  limit: number,
): Promise<StoredRow[]> {
  const direct = await withSqliteConnection(
    db,
    (connection) =>
      connection.prepare(chainRowsText.sqlite).raw(true).all(after, upTo, limit) as StoredRow[],
  )
  if (direct !== undefined) return direct
  const query = CompiledQuery.raw(chainRowsText[dialectOf(db)], [after, upTo, limit])
  const result = await db.executeQuery<ChainRowObject>(query)
  return result.rows.map((row) =>
    rowOf({
      ...row,
      seq: toSeq(row.seq),
      // Both columns are NOT NULL; the empty string only stands for a value that is gone.
      prev_hash_hex: row.prev_hash_hex ?? '',
      hash_hex: row.hash_hex ?? '',
    }),
  )
}

/** A page row as a driver hands it back as an object (PostgreSQL's bigint is a string). */
type ChainRowObject = Omit<StoredEntry, 'seq' | 'prev_hash_hex' | 'hash_hex'> & {
  seq: number | string
  prev_hash_hex: string | null
  hash_hex: string | null
}

/**
 * Like selectChainRows, as canonical texts; undefined where the database cannot build
 * them (PostgreSQL, or inside a transaction), and the walk reads StoredRows instead.
 */
export async function selectCanonicalRows(
  db: Database,
  after: number,
  upTo: number,
  limit: number,
): Promise<CanonicalRow[] | undefined> {
  return withSqliteConnection(
    db,
    (connection) =>
      connection.prepare(canonicalRowsText).raw(true).all(after, upTo, limit) as CanonicalRow[],
  )
}

/**
 * The first entry past the head, read in one statement so an append committing
 * meanwhile (entry and head move together) can never look like one. There is none
 * unless rows were inserted around the appender.
 */
export async function selectFirstEntryBeyondHead(
  db: Database,
): Promise<{ seq: number; id: string } | undefined> {
  const row = await db
    .selectFrom('audit_entries')
    .select(['seq', 'id'])
    .where('seq', '>', (query) =>
      query.selectFrom('audit_chain_head').select('seq').where('slot', '=', headSlot),
    )
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst()
  return row && { seq: toSeq(row.seq), id: row.id }
}

export interface WorkspaceEntryFilter {
  /** Only entries older than this seq (the page cursor). */
  beforeSeq?: number
  action?: string
  subjectRef?: string
  /** ISO 8601 UTC text: `at >= since`. */
  since?: string
  /** ISO 8601 UTC text: `at < until`. */
  until?: string
  limit: number
}

/** One workspace's entries, newest first. */
export async function selectWorkspaceEntries(
  db: Database,
  workspaceId: string,
  filter: WorkspaceEntryFilter,
): Promise<ChainedEntry[]> {
  let query = db.selectFrom('audit_entries').selectAll().where('workspace_id', '=', workspaceId)
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq)
  if (filter.action !== undefined) query = query.where('action', '=', filter.action)
  if (filter.subjectRef !== undefined) query = query.where('subject_ref', '=', filter.subjectRef)
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since)
  if (filter.until !== undefined) query = query.where('at', '<', filter.until)
  const rows = await query.orderBy('seq', 'desc').limit(filter.limit).execute()
  return rows.map((row) => ({ ...row, seq: toSeq(row.seq) }))
}

/**
 * A person's entries: about them (by subject ref) or by them (an operator as actor),
 * oldest first, at most `limit` after the seq `afterSeq`.
 */
export async function selectEntriesOfPerson(
  db: Database,
  workspaceId: string,
  person: { subjectRefs: readonly string[]; actorIds: readonly string[] },
  page: { afterSeq?: number; limit: number },
): Promise<ChainedEntry[]> {
  if (person.subjectRefs.length + person.actorIds.length === 0) return []
  let query = db
    .selectFrom('audit_entries')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        ...(person.subjectRefs.length > 0
          ? [eb('subject_ref', 'in', [...person.subjectRefs])]
          : []),
        ...(person.actorIds.length > 0 ? [eb('actor_id', 'in', [...person.actorIds])] : []),
      ]),
    )
  if (page.afterSeq !== undefined) query = query.where('seq', '>', page.afterSeq)
  const rows = await query.orderBy('seq').limit(page.limit).execute()
  return rows.map((row) => ({ ...row, seq: toSeq(row.seq) }))
}

/** One actor's entries in a workspace within `[since, until)`, oldest first, after `afterSeq`. */
export async function selectActorEntries(
  db: Database,
  workspaceId: string,
  query: { actorId: string; since: string; until: string; afterSeq: number; limit: number },
): Promise<ChainedEntry[]> {
  const rows = await db
    .selectFrom('audit_entries')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('actor_id', '=', query.actorId)
    .where('at', '>=', query.since)
    .where('at', '<', query.until)
    .where('seq', '>', query.afterSeq)
    .orderBy('seq')
    .limit(query.limit)
    .execute()
  return rows.map((row) => ({ ...row, seq: toSeq(row.seq) }))
}
