import type { Database } from '../storage/index.js'
import type { BackgroundSealer } from './background-sealer.js'
import { type BlindIndexKind, computeBlindIndex } from './blind-index.js'
import type { KeyStore, SubjectKeys } from './key-store.js'
import type { SubjectKeysTable } from './keys.table.js'
import type { SealingJob, SealingJobOutput } from './sealing-job.js'
import { insertSubjectKeys, selectSubjectKeyRows } from './subject-keys.js'
import { type FieldRef, type JsonValue, SubjectSealer } from './subject-sealer.js'
import { selectActiveWorkspaceKey } from './workspace-keys.js'

/** A value to seal into one cell: a JSON document (one envelope) or a field's text or bytes. */
export type SealingCell =
  | { readonly field: FieldRef; readonly json: JsonValue }
  | { readonly field: FieldRef; readonly value: string | Uint8Array }

/** What one row needs sealed under its subject's key, and what it needs indexed. */
export interface SealingRequest {
  readonly subjectId: string
  readonly cells: readonly SealingCell[]
  readonly indexes?: readonly { readonly kind: BlindIndexKind; readonly value: string }[]
}

/** A request's sealed cells and blind indexes, in the order they were asked for. */
export interface SealedRequest {
  sealed: Buffer[]
  indexes: Buffer[]
}

export interface PrepareSealingOptions {
  /**
   * The caller made these subject ids just now (a new contact's id): no key can exist,
   * so none is looked up. Should one exist after all, `commit` finds it and seals with it.
   */
  newSubjects?: boolean
}

export interface CommitOptions {
  /**
   * Which requests to store, decided from their blind indexes (e.g. not those whose
   * email another row has): a dropped request gets no values, and a subject none of
   * whose requests is kept gets no key. Runs in the commit's transaction.
   */
  keep?: (indexes: readonly (readonly Buffer[])[]) => Promise<readonly boolean[]>
}

/** Sealing under way on the worker thread; `commit` stores its keys and hands the values. */
export interface PreparedSealing {
  /**
   * Inserts the keys made for this batch in `trx` (the transaction that stores the
   * sealed rows, so both commit or neither does) and returns each request's sealed
   * values, or null for a request `keep` dropped. When something changed since the
   * batch was prepared — a rotation, a shred, another process making one of the keys —
   * the batch is sealed again here, in `trx`, with the keys as they now are.
   */
  commit(trx: Database, options?: CommitOptions): Promise<(SealedRequest | null)[]>
  /** Resolves once the worker is done (rejects if it failed): await it before the transaction. */
  sealed(): Promise<void>
}

/** What the worker was given to go on, which `commit` checks is still so. */
interface Assumed {
  /** Subjects the worker made keys for, with the wrapped keys, in that order. */
  made: readonly string[]
  wrappedKeys: readonly Buffer[]
  /** The workspace key version those keys were wrapped under. */
  wrappingVersion: number | null
  /** The key version each subject that had keys was sealed under. */
  used: ReadonlyMap<string, number>
}

/**
 * Seals a batch on the worker thread while this thread does other work — typically
 * writing the previous batch. Resolves once the batch is handed to the worker. On
 * SQLite a transaction holds the one connection, so await this (its key look-ups need
 * the connection, none for cached keys) and `sealed()` (or every other request waits on
 * the worker) before opening the transaction that commits it. `commit` checks inside
 * its transaction that what the worker used is still right.
 *
 * @example
 *   let next = prepareSealing(store, sealer, workspaceId, batches[0], { newSubjects: true })
 *   for (let b = 0; b < batches.length; b += 1) {
 *     const current = await next
 *     if (b + 1 < batches.length) next = prepareSealing(store, sealer, workspaceId, batches[b + 1], …)
 *     await current.sealed()
 *     await inWriteTransaction(db, async (trx) => insertRows(trx, await current.commit(trx)))
 *   }
 */
export async function prepareSealing(
  store: KeyStore,
  sealer: BackgroundSealer,
  workspaceId: string,
  requests: readonly SealingRequest[],
  options: PrepareSealingOptions = {},
): Promise<PreparedSealing> {
  const subjectIds = [...new Set(requests.map((request) => request.subjectId))]
  const scope = store.scopeFor(undefined)
  const existing =
    options.newSubjects === true
      ? new Map<string, SubjectKeys>()
      : await store.subjectKeys(scope, workspaceId, subjectIds, false)
  const made = subjectIds.filter((subjectId) => !existing.has(subjectId))
  const wrapping = made.length > 0 ? await store.lastActiveWorkspaceKey(scope, workspaceId) : null
  const indexKey = anyIndexed(requests) ? await store.indexKey(scope, workspaceId) : null
  const used = new Map([...existing].map(([subjectId, keys]) => [subjectId, keys.current.version]))
  const sealed = sealer.run(jobOf(workspaceId, subjectIds, existing, requests, wrapping, indexKey))
  // A batch whose commit never comes must not crash the process with its failure.
  sealed.catch(() => undefined)
  return {
    async sealed() {
      await sealed
    },
    async commit(trx: Database, options: CommitOptions = {}) {
      const { wrappedKeys, values } = unpack(await sealed, made.length, requests)
      const kept = await keptOf(
        options,
        values.map((value) => value.indexes),
      )
      const keptSubjects = new Set(requests.flatMap((r, at) => (kept[at] ? [r.subjectId] : [])))
      const assumed = { made, wrappedKeys, wrappingVersion: wrapping?.version ?? null, used }
      if (await stillRight(store, trx, workspaceId, assumed, keptSubjects)) {
        return values.map((value, at) => (kept[at] ? value : null))
      }
      return sealHere(store, trx, workspaceId, [...keptSubjects], requests, kept)
    },
  }
}

function anyIndexed(requests: readonly SealingRequest[]): boolean {
  return requests.some((request) => (request.indexes?.length ?? 0) > 0)
}

function jobOf(
  workspaceId: string,
  subjectIds: readonly string[],
  existing: ReadonlyMap<string, SubjectKeys>,
  requests: readonly SealingRequest[],
  wrapping: SealingJob['wrapping'],
  indexKey: SealingJob['indexKey'],
): SealingJob {
  const position = new Map(subjectIds.map((subjectId, at) => [subjectId, at]))
  const job: SealingJob = {
    workspaceId,
    wrapping,
    indexKey,
    subjectIds: [...subjectIds],
    subjectKeys: subjectIds.map((subjectId) => existing.get(subjectId)?.current.key ?? null),
    subjectVersions: subjectIds.map((subjectId) => existing.get(subjectId)?.current.version ?? 1),
    requestSubjects: [],
    cellCounts: [],
    indexCounts: [],
    cellTables: [],
    cellColumns: [],
    cellRowIds: [],
    cellKinds: [],
    cellPlaintexts: [],
    indexKinds: [],
    indexValues: [],
  }
  for (const request of requests) {
    job.requestSubjects.push(position.get(request.subjectId) ?? -1)
    job.cellCounts.push(request.cells.length)
    for (const cell of request.cells) {
      job.cellTables.push(cell.field.table)
      job.cellColumns.push(cell.field.column)
      job.cellRowIds.push(cell.field.rowId)
      if ('json' in cell) {
        job.cellKinds.push('json')
        job.cellPlaintexts.push(JSON.stringify(cell.json))
      } else {
        job.cellKinds.push('field')
        job.cellPlaintexts.push(cell.value)
      }
    }
    const indexes = request.indexes ?? []
    job.indexCounts.push(indexes.length)
    for (const index of indexes) {
      job.indexKinds.push(index.kind)
      job.indexValues.push(index.value)
    }
  }
  return job
}

/** Whether the prepared batch may be stored as it is; stores the keys it made if so. */
async function stillRight(
  store: KeyStore,
  trx: Database,
  workspaceId: string,
  assumed: Assumed,
  keptSubjects: ReadonlySet<string>,
): Promise<boolean> {
  if (assumed.used.size > 0) {
    // Cached keys may since have been shredded, here or in another process: each must
    // still be stored, or the values sealed under it would never open.
    const stored = await selectSubjectKeyRows(trx, workspaceId, [...assumed.used.keys()])
    const still = new Set(stored.map((row) => `${row.subject_id}\n${String(row.version)}`))
    for (const [subjectId, version] of assumed.used) {
      if (!still.has(`${subjectId}\n${String(version)}`)) return false
    }
  }
  if (assumed.made.length === 0) return true
  // Locked FOR SHARE on PostgreSQL, so a rotation cannot retire it before this commits.
  const active = await selectActiveWorkspaceKey(trx, workspaceId, 'share')
  if (active?.version !== assumed.wrappingVersion) return false
  const createdAt = store.clock.now().toISOString()
  const rows: SubjectKeysTable[] = []
  assumed.made.forEach((subjectId, at) => {
    const wrapped = assumed.wrappedKeys[at]
    if (wrapped === undefined || !keptSubjects.has(subjectId)) return
    rows.push({
      workspace_id: workspaceId,
      subject_id: subjectId,
      version: 1,
      wrapped_key: wrapped,
      workspace_key_version: active.version,
      status: 'active',
      created_at: createdAt,
    })
  })
  // Fewer inserted means another process made some of these keys first: theirs seal.
  return (await insertSubjectKeys(trx, rows)) === rows.length
}

/**
 * The worker's output cut into its parts (views, not copies): the wrapped keys of the
 * `made` subjects, then each request's sealed cells and blind indexes.
 */
function unpack(
  output: SealingJobOutput,
  made: number,
  requests: readonly SealingRequest[],
): { wrappedKeys: Buffer[]; values: SealedRequest[] } {
  const bytes = Buffer.from(output.bytes)
  let part = 0
  let at = 0
  const take = () => {
    const length = output.lengths[part] ?? 0
    part += 1
    const value = bytes.subarray(at, at + length)
    at += length
    return value
  }
  const wrappedKeys = Array.from({ length: made }, take)
  const values = requests.map((request) => ({
    sealed: request.cells.map(take),
    indexes: (request.indexes ?? []).map(take),
  }))
  return { wrappedKeys, values }
}

async function keptOf(
  options: CommitOptions,
  indexes: readonly (readonly Buffer[])[],
): Promise<readonly boolean[]> {
  if (options.keep === undefined) return indexes.map(() => true)
  const kept = await options.keep(indexes)
  if (kept.length !== indexes.length) throw new Error('keep must answer for every request')
  return kept
}

/** The kept requests sealed on this thread, in `trx`, with the keys as they are now. */
async function sealHere(
  store: KeyStore,
  trx: Database,
  workspaceId: string,
  keptSubjects: readonly string[],
  requests: readonly SealingRequest[],
  kept: readonly boolean[],
): Promise<(SealedRequest | null)[]> {
  const scope = store.scopeFor(trx)
  // Read afresh in trx: a cached key may be one a shred elsewhere destroyed, which this
  // process has not heard of yet (on PostgreSQL it checks at most once a second).
  for (const subjectId of keptSubjects) store.forgetCachedSubject(workspaceId, subjectId)
  const keys = await store.subjectKeys(scope, workspaceId, keptSubjects, true)
  const indexKey = anyIndexed(requests) ? await store.indexKey(scope, workspaceId) : undefined
  return requests.map((request, at) => {
    if (kept[at] !== true) return null
    const subjectKeys = keys.get(request.subjectId)
    if (subjectKeys === undefined) throw new Error('a subject key was neither found nor made')
    const sealer = new SubjectSealer(subjectKeys)
    return {
      sealed: request.cells.map((cell) =>
        'json' in cell
          ? sealer.sealJson(cell.field, cell.json)
          : sealer.seal(cell.field, cell.value),
      ),
      indexes: (request.indexes ?? []).map((index) => {
        if (indexKey === undefined) throw new Error('no index key for an indexed request')
        return computeBlindIndex(indexKey, index.kind, index.value)
      }),
    }
  })
}
