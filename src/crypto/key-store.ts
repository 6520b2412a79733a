import { createSecretKey, type KeyObject, randomBytes, randomFillSync } from 'node:crypto'
import type { Clock } from '../clock.js'
import { AppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import type { KeyProvider } from './key-provider.js'
import { assertKeyCheckCurrent } from './key-check.js'
import { KeyUnwrapError, unwrapKey, type WrapContext, wrapKey } from './key-wrap.js'
import type { SubjectKeysTable } from './keys.table.js'
import { LruCache } from '../lru.js'
import {
  insertSubjectKeys,
  selectShredEpoch,
  retireActiveSubjectKeys,
  type SubjectKeyRow,
  selectSubjectKeyRows,
  subjectKeyContext,
  subjectKeyLabel,
} from './subject-keys.js'
import {
  insertWorkspaceKey,
  selectActiveWorkspaceKey,
  selectWorkspaceKey,
  workspaceKeyContext,
  blindIndexKeyContext,
} from './workspace-keys.js'
import { inWriteTransaction, isInTransaction } from '../storage/index.js'
import { sqliteDataVersion } from '../storage/index.js'

const keyLength = 32
// How often a PostgreSQL-backed process reads the shred epoch (SQLite: see data_version).
const shredCheckIntervalMs = 1000

// A scope's `remember`: outside a transaction the write happens now; inside a caller's
// transaction, never (see KeyScope). Module functions: scopes are made on every lookup.
const runWrite = (write: () => void): void => {
  write()
}
const forgetWrite = (): void => {}

/** A subject's data keys: the version that seals now and every version that still opens. */
export interface SubjectKeys {
  readonly workspaceId: string
  readonly subjectId: string
  readonly current: { readonly version: number; readonly key: KeyObject }
  readonly versions: ReadonlyMap<number, KeyObject>
}

/**
 * Where a key lookup runs and whether its results may be cached. Nothing read or made
 * inside a transaction is cached until that transaction has committed: a key cached
 * from a transaction that then rolled back would seal data under a key the database
 * never kept. Inside a caller's transaction nothing is cached at all.
 */
export interface KeyScope {
  readonly db: Database
  remember(write: () => void): void
}

export interface KeyStoreOptions {
  db: Database
  provider: KeyProvider
  clock: Clock
  /** How many subjects' keys stay in memory (LRU). */
  subjectCacheSize: number
  /** How many workspace and blind-index keys stay in memory (LRU, each). */
  workspaceCacheSize: number
  /**
   * How long a cached subject key is trusted. Bounds how long another process keeps
   * opening a subject that was erased elsewhere, and how long it misses a new version.
   */
  subjectCacheTtlMs: number
}

/**
 * The key hierarchy at run time: loads, makes, unwraps and caches workspace keys,
 * blind-index keys and subject keys. Clear keys exist only in its bounded caches and
 * as KeyObjects (native memory, never serialised).
 */
export class KeyStore {
  readonly db: Database
  readonly provider: KeyProvider
  readonly clock: Clock
  readonly #ttlMs: number
  readonly #subjects: LruCache<string, { keys: SubjectKeys; loadedAt: number }>
  readonly #workspaceKeys: LruCache<string, KeyObject>
  readonly #indexKeys: LruCache<string, KeyObject>
  // Bumped by every shred: a load that overlapped one does not cache what it read.
  #shredEpoch = 0
  // Shreds by other processes: the database's shred epoch as last read, the SQLite
  // data_version it was read at, and when (see dropKeysShreddedElsewhere).
  #seenShreds: { epoch: number; dataVersion: number | undefined; at: number } | undefined
  // The active workspace key version each workspace had when last read: only a hint for
  // work prepared ahead of its transaction, which checks it again there.
  readonly #activeVersions: LruCache<string, number>

  constructor(options: KeyStoreOptions) {
    this.db = options.db
    this.provider = options.provider
    this.clock = options.clock
    this.#ttlMs = options.subjectCacheTtlMs
    this.#subjects = new LruCache(options.subjectCacheSize)
    this.#workspaceKeys = new LruCache(options.workspaceCacheSize)
    this.#indexKeys = new LruCache(options.workspaceCacheSize)
    this.#activeVersions = new LruCache(options.workspaceCacheSize)
  }

  /** The scope for a lookup on `db`: the store's own connection, or a caller's transaction. */
  scopeFor(db: Database | undefined): KeyScope {
    const executor = db ?? this.db
    return isInTransaction(executor)
      ? { db: executor, remember: forgetWrite }
      : { db: executor, remember: runWrite }
  }

  /** Runs `work` in a write transaction of the scope, caching only after it commits. */
  async inTransaction<T>(scope: KeyScope, work: (inner: KeyScope) => Promise<T>): Promise<T> {
    if (isInTransaction(scope.db)) return work(scope)
    const pending: (() => void)[] = []
    const result = await inWriteTransaction(scope.db, (trx) =>
      work({ db: trx, remember: (write) => pending.push(write) }),
    )
    for (const write of pending) write()
    return result
  }

  // ---- subject keys ----

  /** The subjects' keys, from cache or the database; with `create`, made where missing. */
  async subjectKeys(
    scope: KeyScope,
    workspaceId: string,
    subjectIds: readonly string[],
    create: boolean,
  ): Promise<Map<string, SubjectKeys>> {
    await this.#dropKeysShreddedElsewhere(scope)
    const found = new Map<string, SubjectKeys>()
    const missing: string[] = []
    for (const subjectId of new Set(subjectIds)) {
      const cached = this.cachedSubject(workspaceId, subjectId)
      if (cached === undefined) missing.push(subjectId)
      else found.set(subjectId, cached)
    }
    if (missing.length === 0) return found
    const epoch = this.#shredEpoch
    const remember = (keys: SubjectKeys) =>
      scope.remember(() => {
        if (epoch === this.#shredEpoch) this.#cacheSubject(keys)
      })
    const loaded = await this.#loadSubjects(scope, workspaceId, missing)
    for (const keys of loaded.values()) {
      found.set(keys.subjectId, keys)
      remember(keys)
    }
    const absent = missing.filter((subjectId) => !loaded.has(subjectId))
    if (create && absent.length > 0) {
      const made = await this.#createSubjects(scope, workspaceId, absent)
      for (const keys of made.values()) {
        found.set(keys.subjectId, keys)
        remember(keys)
      }
    }
    return found
  }

  cachedSubject(workspaceId: string, subjectId: string): SubjectKeys | undefined {
    const cacheKey = subjectCacheKey(workspaceId, subjectId)
    const entry = this.#subjects.get(cacheKey)
    if (entry === undefined) return undefined
    if (this.clock.now().getTime() - entry.loadedAt > this.#ttlMs) {
      this.#subjects.delete(cacheKey)
      return undefined
    }
    return entry.keys
  }

  /**
   * Another process may have shredded a subject whose key this one holds: every shred
   * bumps the database's shred epoch, and when it has moved, every cached subject key
   * is dropped (shreds are rare; keys reload on demand). On SQLite the epoch is read
   * only after another connection has committed (data_version moved), so a shred
   * elsewhere takes effect here at the next look-up; on PostgreSQL it is read at most
   * once a second, so within a second, and a server also hears each shred as it
   * commits (`dropSubjectKeysAfterShred`, through LISTEN). The cache's time limit
   * remains the backstop.
   */
  async #dropKeysShreddedElsewhere(scope: KeyScope): Promise<void> {
    const dataVersion = sqliteDataVersion(this.db)
    // SQLite's data_version says whether another connection committed; only PostgreSQL,
    // which has no such thing, needs the clock (this runs on every key look-up).
    const now = dataVersion === undefined ? this.clock.now().getTime() : 0
    const seen = this.#seenShreds
    if (seen !== undefined) {
      const unchanged =
        dataVersion === undefined
          ? now - seen.at < shredCheckIntervalMs
          : dataVersion === seen.dataVersion
      if (unchanged) return
    }
    const epoch = await selectShredEpoch(scope.db)
    // The first check clears too: a load racing it may have read a key since shredded.
    if (seen === undefined || epoch !== seen.epoch) this.dropSubjectKeysAfterShred()
    this.#seenShreds = { epoch, dataVersion, at: now }
  }

  /**
   * A shred committed somewhere (a signal from another process): drops every cached
   * subject key at once, and keeps loads under way from caching what they read.
   */
  dropSubjectKeysAfterShred(): void {
    this.#shredEpoch += 1
    this.#subjects.clear()
  }

  /** After a shred: drops the subject's keys, and keeps loads under way from caching them. */
  forgetSubject(workspaceId: string, subjectId: string): void {
    this.#shredEpoch += 1
    this.#subjects.delete(subjectCacheKey(workspaceId, subjectId))
  }

  /** Drops a cached entry so the next lookup reads the subject's versions afresh. */
  forgetCachedSubject(workspaceId: string, subjectId: string): void {
    this.#subjects.delete(subjectCacheKey(workspaceId, subjectId))
  }

  forgetWorkspaceKey(workspaceId: string, version: number): void {
    this.#workspaceKeys.delete(versionCacheKey(workspaceId, version))
  }

  /**
   * Gives each subject that still has keys a new data key version, wrapped under the
   * active workspace key; older versions become `retired` (they still open, never seal).
   * Returns how many subjects got one.
   */
  async addSubjectKeyVersions(workspaceId: string, subjectIds: readonly string[]): Promise<number> {
    const made = await this.inTransaction(this.scopeFor(undefined), async (scope) => {
      const active = await this.activeWorkspaceKey(scope, workspaceId)
      const rows = await selectSubjectKeyRows(scope.db, workspaceId, subjectIds, true)
      const newest = new Map<string, number>()
      for (const row of rows) {
        newest.set(row.subject_id, Math.max(row.version, newest.get(row.subject_id) ?? 0))
      }
      const subjects = [...newest.keys()]
      const material = randomFillSync(Buffer.allocUnsafe(keyLength * subjects.length))
      const createdAt = this.clock.now().toISOString()
      const inserts: SubjectKeysTable[] = subjects.map((subjectId, index) => {
        const version = (newest.get(subjectId) ?? 0) + 1
        const context = subjectKeyContext(workspaceId, subjectId, version, active.version)
        const clear = material.subarray(index * keyLength, (index + 1) * keyLength)
        return {
          workspace_id: workspaceId,
          subject_id: subjectId,
          version,
          wrapped_key: wrapKey(active.key, subjectKeyLabel, context, clear),
          workspace_key_version: active.version,
          status: 'active',
          created_at: createdAt,
        }
      })
      material.fill(0)
      await retireActiveSubjectKeys(scope.db, workspaceId, subjects)
      await insertSubjectKeys(scope.db, inserts)
      return subjects
    })
    for (const subjectId of made) this.forgetCachedSubject(workspaceId, subjectId)
    return made.length
  }

  #cacheSubject(keys: SubjectKeys): void {
    this.#subjects.set(subjectCacheKey(keys.workspaceId, keys.subjectId), {
      keys,
      loadedAt: this.clock.now().getTime(),
    })
  }

  async #loadSubjects(
    scope: KeyScope,
    workspaceId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, SubjectKeys>> {
    const rows = await selectSubjectKeyRows(scope.db, workspaceId, subjectIds)
    const bySubject = new Map<string, SubjectKeyRow[]>()
    for (const row of rows) {
      const list = bySubject.get(row.subject_id)
      if (list === undefined) bySubject.set(row.subject_id, [row])
      else list.push(row)
    }
    const result = new Map<string, SubjectKeys>()
    for (const [subjectId, subjectRows] of bySubject) {
      result.set(subjectId, await this.#unwrapSubject(scope, workspaceId, subjectId, subjectRows))
    }
    return result
  }

  async #unwrapSubject(
    scope: KeyScope,
    workspaceId: string,
    subjectId: string,
    rows: readonly SubjectKeyRow[],
  ): Promise<SubjectKeys> {
    const versions = new Map<number, KeyObject>()
    for (const row of rows) {
      const workspaceKey = await this.workspaceKey(scope, workspaceId, row.workspace_key_version)
      versions.set(row.version, this.#unwrapSubjectKey(workspaceKey, workspaceId, subjectId, row))
    }
    // The newest active version seals; should none be active, the newest of all.
    const active = rows.filter((row) => row.status === 'active')
    const version = Math.max(...(active.length > 0 ? active : rows).map((row) => row.version))
    const key = versions.get(version)
    if (key === undefined) throw new Error('a subject without key rows was not skipped')
    return { workspaceId, subjectId, current: { version, key }, versions }
  }

  #unwrapSubjectKey(
    workspaceKey: KeyObject,
    workspaceId: string,
    subjectId: string,
    row: Pick<SubjectKeyRow, 'version' | 'wrapped_key' | 'workspace_key_version'>,
  ): KeyObject {
    const context = subjectKeyContext(
      workspaceId,
      subjectId,
      row.version,
      row.workspace_key_version,
    )
    try {
      return toKeyObject(unwrapKey(workspaceKey, subjectKeyLabel, context, row.wrapped_key))
    } catch (error) {
      if (!(error instanceof KeyUnwrapError)) throw error
      throw new AppError(
        'internal',
        `A data subject's key in workspace ${workspaceId} does not unwrap: the key tables were altered`,
        { cause: error },
      )
    }
  }

  async #createSubjects(
    scope: KeyScope,
    workspaceId: string,
    subjectIds: readonly string[],
  ): Promise<Map<string, SubjectKeys>> {
    return this.inTransaction(scope, async (inner) => {
      const active = await this.activeWorkspaceKey(inner, workspaceId)
      const createdAt = this.clock.now().toISOString()
      // One call to the CSPRNG for the whole batch instead of one per subject.
      const material = randomFillSync(Buffer.allocUnsafe(keyLength * subjectIds.length))
      const ours = new Map<string, { row: SubjectKeysTable; key: KeyObject }>()
      subjectIds.forEach((subjectId, index) => {
        const clear = material.subarray(index * keyLength, (index + 1) * keyLength)
        const context = subjectKeyContext(workspaceId, subjectId, 1, active.version)
        const row: SubjectKeysTable = {
          workspace_id: workspaceId,
          subject_id: subjectId,
          version: 1,
          wrapped_key: wrapKey(active.key, subjectKeyLabel, context, clear),
          workspace_key_version: active.version,
          status: 'active',
          created_at: createdAt,
        }
        ours.set(subjectId, { row, key: toKeyObject(clear) })
      })
      material.fill(0)
      const inserted = await insertSubjectKeys(
        inner.db,
        [...ours.values()].map((made) => made.row),
      )
      if (inserted === ours.size) return keysOf(workspaceId, ours)
      // A racing process made some of these first; its keys are the keys.
      return this.#loadStoredAfterInsert(inner, workspaceId, ours)
    })
  }

  async #loadStoredAfterInsert(
    scope: KeyScope,
    workspaceId: string,
    ours: Map<string, { row: SubjectKeysTable; key: KeyObject }>,
  ): Promise<Map<string, SubjectKeys>> {
    const rows = await selectSubjectKeyRows(scope.db, workspaceId, [...ours.keys()])
    const theirs = new Map<string, SubjectKeyRow[]>()
    const result = new Map<string, SubjectKeys>()
    for (const row of rows) {
      const made = ours.get(row.subject_id)
      if (made !== undefined && row.version === 1 && row.wrapped_key.equals(made.row.wrapped_key)) {
        result.set(row.subject_id, firstVersion(workspaceId, row.subject_id, made.key))
      } else {
        theirs.set(row.subject_id, [...(theirs.get(row.subject_id) ?? []), row])
      }
    }
    for (const [subjectId, subjectRows] of theirs) {
      result.set(subjectId, await this.#unwrapSubject(scope, workspaceId, subjectId, subjectRows))
    }
    return result
  }

  // ---- workspace keys ----

  /** A workspace key version, clear; read and unwrapped through the provider on a miss. */
  async workspaceKey(scope: KeyScope, workspaceId: string, version: number): Promise<KeyObject> {
    const cacheKey = versionCacheKey(workspaceId, version)
    const cached = this.#workspaceKeys.get(cacheKey)
    if (cached !== undefined) return cached
    const row = await selectWorkspaceKey(scope.db, workspaceId, version)
    if (row === undefined || row.wrapped_key === null) {
      throw new AppError(
        'internal',
        `Workspace key version ${version} of workspace ${workspaceId} is missing or retired while keys still refer to it`,
      )
    }
    return this.#unwrapWorkspaceKey(scope, workspaceId, version, row.wrapped_key)
  }

  /**
   * A key the master key wraps, unwrapped through the provider. When that fails because
   * the database has since moved to another master key, the error says so (restart with
   * it) instead of reporting altered key tables.
   */
  async #unwrapWithProvider(
    scope: KeyScope,
    wrapped: Buffer,
    context: Readonly<Record<string, string>>,
  ): Promise<Buffer> {
    try {
      return await this.provider.unwrapKey(wrapped, context)
    } catch (error) {
      await assertKeyCheckCurrent(scope.db, this.provider)
      throw error
    }
  }

  async #unwrapWorkspaceKey(
    scope: KeyScope,
    workspaceId: string,
    version: number,
    wrapped: Buffer,
  ): Promise<KeyObject> {
    const clear = await this.#unwrapWithProvider(
      scope,
      wrapped,
      workspaceKeyContext(workspaceId, version),
    )
    const key = toKeyObject(clear)
    clear.fill(0)
    scope.remember(() => this.#workspaceKeys.set(versionCacheKey(workspaceId, version), key))
    return key
  }

  /**
   * The version new subject keys are wrapped under, read from the database (locked FOR
   * SHARE on PostgreSQL) rather than from the cache, so a rotation finished by another
   * process is seen at once. Makes version 1 on a workspace's first use.
   */
  async activeWorkspaceKey(
    scope: KeyScope,
    workspaceId: string,
  ): Promise<{ version: number; key: KeyObject }> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const row = await selectActiveWorkspaceKey(scope.db, workspaceId, 'share')
      if (row !== undefined && row.wrapped_key !== null) {
        this.#activeVersions.set(workspaceId, row.version)
        return {
          version: row.version,
          key: await this.workspaceKey(scope, workspaceId, row.version),
        }
      }
      // None yet (or a rotation just replaced the row this waited on): make version 1,
      // which does nothing when any version already exists, then read again.
      await this.createWorkspaceKey(scope, workspaceId, 1)
    }
    throw new AppError('unavailable', `No active key for workspace ${workspaceId}; retry`)
  }

  /**
   * The active workspace key as last read, without asking the database when it was read
   * before: for work prepared outside the transaction that stores it, which must check
   * the version again inside (a rotation may have finished in between).
   */
  async lastActiveWorkspaceKey(
    scope: KeyScope,
    workspaceId: string,
  ): Promise<{ version: number; key: KeyObject }> {
    const version = this.#activeVersions.get(workspaceId)
    if (version !== undefined) {
      try {
        return { version, key: await this.workspaceKey(scope, workspaceId, version) }
      } catch {
        // Destroyed by a rotation since, or read in a transaction that rolled back.
        this.#activeVersions.delete(workspaceId)
      }
    }
    return this.activeWorkspaceKey(scope, workspaceId)
  }

  /** Makes and stores a new workspace key version as active; false if it already existed. */
  async createWorkspaceKey(
    scope: KeyScope,
    workspaceId: string,
    version: number,
  ): Promise<boolean> {
    return this.inTransaction(scope, async (inner) => {
      const wrappedKey = await this.#newKeyUnderMasterKey(
        inner.db,
        workspaceKeyContext(workspaceId, version),
      )
      return insertWorkspaceKey(inner.db, {
        workspaceId,
        version,
        wrappedKey,
        createdAt: this.clock.now().toISOString(),
      })
    })
  }

  /**
   * A new random key, wrapped under the master key, in the write transaction `trx` that
   * will store it: checked first to be the key the database is still keyed to.
   */
  async #newKeyUnderMasterKey(trx: Database, context: WrapContext): Promise<Buffer> {
    await assertKeyCheckCurrent(trx, this.provider)
    const clear = randomBytes(keyLength)
    const wrappedKey = await this.provider.wrapKey(clear, context)
    clear.fill(0)
    return wrappedKey
  }

  // ---- blind-index keys ----

  async indexKey(scope: KeyScope, workspaceId: string): Promise<KeyObject> {
    const cached = this.#indexKeys.get(workspaceId)
    if (cached !== undefined) return cached
    const context = blindIndexKeyContext(workspaceId)
    let row = await this.#selectIndexKey(scope.db, workspaceId)
    if (row === undefined) {
      await this.inTransaction(scope, async (inner) => {
        const wrappedKey = await this.#newKeyUnderMasterKey(inner.db, context)
        await inner.db
          .insertInto('blind_index_keys')
          .values({
            workspace_id: workspaceId,
            wrapped_key: wrappedKey,
            created_at: this.clock.now().toISOString(),
          })
          .onConflict((conflict) => conflict.doNothing())
          .execute()
      })
      // Another process may have won the insert: its key is the key.
      row = await this.#selectIndexKey(scope.db, workspaceId)
      if (row === undefined) throw new Error('the blind-index key just stored is missing')
    }
    const clear = await this.#unwrapWithProvider(scope, row.wrapped_key, context)
    const key = toKeyObject(clear)
    clear.fill(0)
    scope.remember(() => this.#indexKeys.set(workspaceId, key))
    return key
  }

  async #selectIndexKey(
    db: Database,
    workspaceId: string,
  ): Promise<{ wrapped_key: Buffer } | undefined> {
    return db
      .selectFrom('blind_index_keys')
      .select('wrapped_key')
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst()
  }

  /** Drops every clear key this process holds. */
  clear(): void {
    this.#activeVersions.clear()
    this.#subjects.clear()
    this.#workspaceKeys.clear()
    this.#indexKeys.clear()
  }
}

function firstVersion(workspaceId: string, subjectId: string, key: KeyObject): SubjectKeys {
  return { workspaceId, subjectId, current: { version: 1, key }, versions: new Map([[1, key]]) }
}

function keysOf(
  workspaceId: string,
  made: ReadonlyMap<string, { key: KeyObject }>,
): Map<string, SubjectKeys> {
  const result = new Map<string, SubjectKeys>()
  for (const [subjectId, { key }] of made) {
    result.set(subjectId, firstVersion(workspaceId, subjectId, key))
  }
  return result
}

function toKeyObject(clear: Buffer): KeyObject {
  return createSecretKey(clear)
}

// The length prefix keeps pairs apart whatever characters the ids hold.
function subjectCacheKey(workspaceId: string, subjectId: string): string {
  return `${workspaceId.length}:${workspaceId}${subjectId}`
}

function versionCacheKey(workspaceId: string, version: number): string {
  return `${workspaceId.length}:${workspaceId}${version}`
}
