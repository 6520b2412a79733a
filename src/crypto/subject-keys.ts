import type { Database } from '../storage/index.js'
import type { WrapContext } from './key-wrap.js'
import type { SubjectKeysTable } from './keys.table.js'
import { insertRows } from '../storage/index.js'
import { locksRows } from '../storage/index.js'

/** SQL for data subjects' keys. Every function takes the workspace id. */

export const subjectKeyLabel = 'custodian/subject-key/v1'

export function subjectKeyContext(
  workspaceId: string,
  subjectId: string,
  version: number,
  workspaceKeyVersion: number,
): WrapContext {
  return {
    workspace: workspaceId,
    subject: subjectId,
    version: String(version),
    workspaceKeyVersion: String(workspaceKeyVersion),
  }
}

export type SubjectKeyRow = Pick<
  SubjectKeysTable,
  'subject_id' | 'version' | 'wrapped_key' | 'workspace_key_version' | 'status'
>

// Keeps each statement well under SQLite's and PostgreSQL's bound-parameter limits.
export const sqlChunkSize = 500

/** Every key version of the subjects; `lock` holds them (PostgreSQL) against a racing shred. */
export async function selectSubjectKeyRows(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
  lock = false,
): Promise<SubjectKeyRow[]> {
  const rows: SubjectKeyRow[] = []
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    const chunk = subjectIds.slice(start, start + sqlChunkSize)
    let query = db
      .selectFrom('subject_keys')
      .select(['subject_id', 'version', 'wrapped_key', 'workspace_key_version', 'status'])
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
    if (lock && locksRows(db)) query = query.forUpdate()
    rows.push(...(await query.execute()))
  }
  return rows
}

/** Marks the subjects' active versions retired, before a newer version is added. */
export async function retireActiveSubjectKeys(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < subjectIds.length; start += sqlChunkSize) {
    await db
      .updateTable('subject_keys')
      .set({ status: 'retired' })
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', subjectIds.slice(start, start + sqlChunkSize))
      .where('status', '=', 'active')
      .execute()
  }
}

/** Inserts keys that do not exist yet; returns how many were inserted (conflicts are not). */
export async function insertSubjectKeys(
  db: Database,
  rows: readonly SubjectKeysTable[],
): Promise<number> {
  // A new subject's key is written with its first sealed row, so this runs as often as
  // contacts are created: the hand-written INSERT skips Kysely's per-value parsing.
  return insertRows(db, 'subject_keys', subjectKeyColumns, rows, { skipConflicts: true })
}

const subjectKeyColumns = [
  'workspace_id',
  'subject_id',
  'version',
  'wrapped_key',
  'workspace_key_version',
  'status',
  'created_at',
] as const satisfies readonly (keyof SubjectKeysTable)[]

/** How many crypto-shreds the database has seen (0 before the first). */
export async function selectShredEpoch(db: Database): Promise<number> {
  const row = await db
    .selectFrom('shred_epoch')
    .select('epoch')
    .where('slot', '=', 'this')
    .executeTakeFirst()
  return row?.epoch ?? 0
}

/** Counts a shred, in its transaction: other processes drop their cached keys on seeing it. */
export async function bumpShredEpoch(db: Database): Promise<void> {
  // An upsert: should the row ever be gone, counting starts again rather than stopping.
  await db
    .insertInto('shred_epoch')
    .values({ slot: 'this', epoch: 1 })
    .onConflict((conflict) =>
      conflict.column('slot').doUpdateSet((eb) => ({ epoch: eb('shred_epoch.epoch', '+', 1) })),
    )
    .execute()
}

/**
 * Takes back a count made in this transaction, for a shred that destroyed nothing: the
 * epoch then commits unchanged, so no process drops its cached keys for it, while the
 * row stays locked in the order every shred takes.
 */
export async function unbumpShredEpoch(db: Database): Promise<void> {
  await db
    .updateTable('shred_epoch')
    .set((eb) => ({ epoch: eb('epoch', '-', 1) }))
    .where('slot', '=', 'this')
    .execute()
}

/** The LISTEN channel a shred is announced on (PostgreSQL), for servers to drop keys at once. */
export const shredChannel = 'custodian_shred'

/** Crypto-shredding: every version of the subject's key, gone. Returns how many. */
export async function deleteSubjectKeys(
  db: Database,
  workspaceId: string,
  subjectId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('subject_keys')
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', '=', subjectId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** A page of keys still wrapped under an old workspace key version, in key order. */
export async function selectKeysWrappedUnder(
  db: Database,
  workspaceId: string,
  workspaceKeyVersion: number,
  limit: number,
): Promise<SubjectKeyRow[]> {
  return db
    .selectFrom('subject_keys')
    .select(['subject_id', 'version', 'wrapped_key', 'workspace_key_version', 'status'])
    .where('workspace_id', '=', workspaceId)
    .where('workspace_key_version', '=', workspaceKeyVersion)
    .orderBy('subject_id')
    .orderBy('version')
    .limit(limit)
    .execute()
}

export async function countKeysWrappedUnder(
  db: Database,
  workspaceId: string,
  workspaceKeyVersion: number,
): Promise<number> {
  const row = await db
    .selectFrom('subject_keys')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('workspace_id', '=', workspaceId)
    .where('workspace_key_version', '=', workspaceKeyVersion)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}

/**
 * Replaces one key's wrapping, only if it is still wrapped under the version it was
 * read under: a concurrent shred or re-wrap wins and this update does nothing.
 */
export async function updateWrapping(
  db: Database,
  workspaceId: string,
  row: {
    subjectId: string
    version: number
    fromVersion: number
    toVersion: number
    wrappedKey: Buffer
  },
): Promise<boolean> {
  const result = await db
    .updateTable('subject_keys')
    .set({ wrapped_key: row.wrappedKey, workspace_key_version: row.toVersion })
    .where('workspace_id', '=', workspaceId)
    .where('subject_id', '=', row.subjectId)
    .where('version', '=', row.version)
    .where('workspace_key_version', '=', row.fromVersion)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Subjects of a workspace after `afterSubjectId`, in order, for walking them in pages. */
export async function selectSubjectPage(
  db: Database,
  workspaceId: string,
  afterSubjectId: string | undefined,
  limit: number,
): Promise<string[]> {
  let query = db
    .selectFrom('subject_keys')
    .select('subject_id')
    .distinct()
    .where('workspace_id', '=', workspaceId)
  if (afterSubjectId !== undefined) query = query.where('subject_id', '>', afterSubjectId)
  const rows = await query.orderBy('subject_id').limit(limit).execute()
  return rows.map((row) => row.subject_id)
}

export async function countSubjects(db: Database, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('subject_keys')
    .select((eb) => eb.fn.count('subject_id').distinct().as('count'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst()
  return Number(row?.count ?? 0)
}
