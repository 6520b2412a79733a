import type { Clock } from '../clock.js'
import type { Config } from '../config.js'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { dialectOf } from '../storage/index.js'
import type { Database, Listening, Storage } from '../storage/index.js'
import { signal } from '../storage/index.js'
import { type BlindIndexKind, computeBlindIndex } from './blind-index.js'
import { type CellRef, readEnvelopeHeader } from './envelope.js'
import { hasKeyCheck, verifyKeyCheck } from './key-check.js'
import type { KeyProvider } from './key-provider.js'
import { KeyStore } from './key-store.js'
import { createLocalKeyProvider } from './local-key-provider.js'
import { resolveMasterKey } from './master-key.js'
import { type RotateOptions, rotateKeys, type WorkspaceRotation } from './rotate.js'
import { SealedColumnRegistry, type SealedColumns } from './sealed-columns.js'
import {
  bumpShredEpoch,
  deleteSubjectKeys,
  shredChannel,
  unbumpShredEpoch,
} from './subject-keys.js'
import { type JsonValue, SubjectSealer } from './subject-sealer.js'
import { BackgroundSealer } from './background-sealer.js'
import {
  type PreparedSealing,
  type PrepareSealingOptions,
  prepareSealing,
  type SealingRequest,
} from './prepared-sealing.js'

export interface KeyringOptions {
  storage: Storage
  config: Pick<Config, 'masterKey' | 'masterKeyFile' | 'databaseUrl' | 'dataDir'>
  logger: Logger
  clock: Clock
  /** Holds the master key; a KMS-backed provider replaces the local one here. */
  provider?: KeyProvider
  /** Sealed columns the reseal job walks; every module's declarations when absent. */
  sealedColumns?: readonly SealedColumns[]
  cache?: { subjects?: number; workspaces?: number; subjectTtlMs?: number }
  /**
   * On PostgreSQL, hear every crypto-shred as it commits, in any process, and drop the
   * cached subject keys at once instead of within the second the periodic check takes:
   * for long-running processes (`serve`). Holds one database connection of its own.
   */
  listenForShreds?: boolean
}

/** Options of calls that may read or make keys: `db` runs them in a caller's transaction. */
export interface KeyAccess {
  /**
   * A transaction to read and make keys in. On SQLite, a transaction holds the one
   * connection, so key look-ups inside it must use it. Keys made in a caller's
   * transaction are not cached: they vanish if it rolls back.
   */
  db?: Database
}

/** Computes one workspace's blind indexes with its key already in hand. */
export interface BlindIndexer {
  index(kind: BlindIndexKind, value: string): Buffer
  hex(kind: BlindIndexKind, value: string): string
}

export interface SealersOptions extends KeyAccess {
  /** Make keys for subjects that have none (default true); false for reading only. */
  create?: boolean
}

/**
 * Encryption at rest for the whole application: the one object other modules use to
 * seal personal data before it reaches storage, open it, index it blindly, erase a
 * subject by destroying its key, and rotate keys.
 *
 * @example
 *   const keyring = await openKeyring({ storage, config, logger, clock })
 *   const cell = { workspaceId, subjectId: contactId, table: 'contacts', column: 'email', rowId: contactId }
 *   const sealed = await keyring.seal(cell, 'ada@example.com')            // Buffer for a blob/bytea column
 *   const index = await keyring.blindIndex(workspaceId, 'email', 'Ada@Example.com ')
 *   await keyring.openText(cell, sealed)                                 // 'ada@example.com'
 */
export interface Keyring {
  seal(cell: CellRef, value: string | Uint8Array, access?: KeyAccess): Promise<Buffer>
  /** One envelope for a whole JSON document: one cipher call for many fields. */
  sealJson(cell: CellRef, value: JsonValue, access?: KeyAccess): Promise<Buffer>
  open(cell: CellRef, sealed: Uint8Array, access?: KeyAccess): Promise<Buffer>
  openText(cell: CellRef, sealed: Uint8Array, access?: KeyAccess): Promise<string>
  openJson(cell: CellRef, sealed: Uint8Array, access?: KeyAccess): Promise<JsonValue>
  /** Keys in hand for many subjects at once, for sealing a batch synchronously. */
  sealersFor(
    workspaceId: string,
    subjectIds: readonly string[],
    options?: SealersOptions,
  ): Promise<Map<string, SubjectSealer>>
  sealerFor(
    workspaceId: string,
    subjectId: string,
    options?: SealersOptions,
  ): Promise<SubjectSealer>
  /**
   * Seals a batch on a worker thread, so this one can write the previous batch
   * meanwhile: keys for subjects without one are made there too. The returned batch's
   * `commit(trx)` stores those keys in the transaction that stores the rows. Resolves
   * once the batch is with the worker; on SQLite, never await it inside a transaction
   * (its key look-ups need the connection the transaction holds). For bulk
   * writes of many new subjects (a contacts import), where the cryptography would
   * otherwise cost as much as the writing.
   */
  prepareSealing(
    workspaceId: string,
    requests: readonly SealingRequest[],
    options?: PrepareSealingOptions,
  ): Promise<PreparedSealing>
  /** HMAC-SHA256 of the normalised value under the workspace's index key: 32 bytes. */
  blindIndex(
    workspaceId: string,
    kind: BlindIndexKind,
    value: string,
    access?: KeyAccess,
  ): Promise<Buffer>
  /**
   * HMAC-SHA256 under the instance's own index key, the same for every workspace: for
   * the few look-ups that must cross workspaces without opening anything (an operator
   * signing in by email alone, the address a sign-in comes from). Use the workspace's
   * index for everything that belongs to one workspace.
   */
  instanceBlindIndex(kind: BlindIndexKind, value: string, access?: KeyAccess): Promise<Buffer>
  /** The workspace's index key in hand, for indexing a batch synchronously. */
  indexerFor(workspaceId: string, access?: KeyAccess): Promise<BlindIndexer>
  /** The same digest as 64 lower-case hex characters, for a text column. */
  blindIndexHex(
    workspaceId: string,
    kind: BlindIndexKind,
    value: string,
    access?: KeyAccess,
  ): Promise<string>
  /** Crypto-shredding (Art. 17): destroys the subject's keys; its sealed values never open again. */
  shredSubject(
    workspaceId: string,
    subjectId: string,
    access?: KeyAccess,
  ): Promise<{ keysDestroyed: number }>
  rotate(options?: RotateOptions): Promise<WorkspaceRotation[]>
  /** Where modules declare their sealed columns for the reseal job. */
  readonly sealedColumns: SealedColumnRegistry
  /** Forgets every clear key held in memory. The storage stays open: its owner closes it. */
  close(): Promise<void>
}

const defaults = { subjects: 10_000, workspaces: 1_000, subjectTtlMs: 5 * 60_000 }

/**
 * Where the instance's own index key is kept among the workspaces' (`blind_index_keys`):
 * not a UUID, so no workspace can ever have it, and wrapped, cached and moved to a new
 * master key exactly like theirs.
 */
export const instanceIndexScope = 'instance'

/**
 * Opens the key hierarchy on a migrated store: finds the master key (making one only
 * for a new embedded store), checks it against the database's canary before anything
 * else (a wrong key stops here, having changed nothing), and returns the keyring.
 */
export async function openKeyring(options: KeyringOptions): Promise<Keyring> {
  const { storage, clock } = options
  const databaseHasKeys = await hasKeyCheck(storage.db)
  const provider =
    options.provider ??
    createLocalKeyProvider(
      resolveMasterKey({ config: options.config, logger: options.logger, databaseHasKeys }),
    )
  await verifyKeyCheck(storage.db, provider, clock)
  const store = new KeyStore({
    db: storage.db,
    provider,
    clock,
    subjectCacheSize: options.cache?.subjects ?? defaults.subjects,
    workspaceCacheSize: options.cache?.workspaces ?? defaults.workspaces,
    subjectCacheTtlMs: options.cache?.subjectTtlMs ?? defaults.subjectTtlMs,
  })
  const listening =
    options.listenForShreds === true && storage.listen !== undefined
      ? await storage.listen(
          shredChannel,
          () => {
            store.dropSubjectKeysAfterShred()
          },
          (error) => {
            options.logger.warn(
              { err: error },
              'the shred listener lost its database connection and is reconnecting; meanwhile shreds made elsewhere take effect here within a second',
            )
          },
        )
      : undefined
  return createKeyring(store, new SealedColumnRegistry(options.sealedColumns ?? []), listening)
}

function createKeyring(
  store: KeyStore,
  sealedColumns: SealedColumnRegistry,
  listening: Listening | undefined,
): Keyring {
  let closed = false
  const background = new BackgroundSealer()
  const live = (): KeyStore => {
    if (closed) throw new AppError('unavailable', 'The keyring is closed')
    return store
  }

  const sealersFor: Keyring['sealersFor'] = async (workspaceId, subjectIds, options = {}) => {
    const keyStore = live()
    const keys = await keyStore.subjectKeys(
      keyStore.scopeFor(options.db),
      workspaceId,
      subjectIds,
      options.create ?? true,
    )
    return new Map(
      [...keys].map(([subjectId, subjectKeys]) => [subjectId, new SubjectSealer(subjectKeys)]),
    )
  }

  const sealerFor = async (
    workspaceId: string,
    subjectId: string,
    options: SealersOptions = {},
  ) => {
    const sealer = (await sealersFor(workspaceId, [subjectId], options)).get(subjectId)
    if (sealer === undefined) throw erased()
    return sealer
  }

  /** The sealer that opens this value: re-read once when the cache predates its key version. */
  const openerFor = async (cell: CellRef, sealed: Uint8Array, access: KeyAccess = {}) => {
    const { keyVersion } = readEnvelopeHeader(sealed, cell)
    const sealer = await sealerFor(cell.workspaceId, cell.subjectId, { ...access, create: false })
    if (sealer.hasKeyVersion(keyVersion)) return sealer
    live().forgetCachedSubject(cell.workspaceId, cell.subjectId)
    return sealerFor(cell.workspaceId, cell.subjectId, { ...access, create: false })
  }

  const indexKey = async (workspaceId: string, access: KeyAccess = {}) => {
    const keyStore = live()
    return keyStore.indexKey(keyStore.scopeFor(access.db), workspaceId)
  }

  return Object.freeze({
    sealedColumns,
    seal: async (cell: CellRef, value: string | Uint8Array, access?: KeyAccess) =>
      (await sealerFor(cell.workspaceId, cell.subjectId, access)).seal(cell, value),
    sealJson: async (cell: CellRef, value: JsonValue, access?: KeyAccess) =>
      (await sealerFor(cell.workspaceId, cell.subjectId, access)).sealJson(cell, value),
    open: async (cell: CellRef, sealed: Uint8Array, access?: KeyAccess) =>
      (await openerFor(cell, sealed, access)).open(cell, sealed),
    openText: async (cell: CellRef, sealed: Uint8Array, access?: KeyAccess) =>
      (await openerFor(cell, sealed, access)).openText(cell, sealed),
    openJson: async (cell: CellRef, sealed: Uint8Array, access?: KeyAccess) =>
      (await openerFor(cell, sealed, access)).openJson(cell, sealed),
    sealersFor,
    sealerFor,
    prepareSealing: async (
      workspaceId: string,
      requests: readonly SealingRequest[],
      options?: PrepareSealingOptions,
    ) => prepareSealing(live(), background, workspaceId, requests, options),
    blindIndex: async (
      workspaceId: string,
      kind: BlindIndexKind,
      value: string,
      access?: KeyAccess,
    ) => computeBlindIndex(await indexKey(workspaceId, access), kind, value),
    instanceBlindIndex: async (kind: BlindIndexKind, value: string, access?: KeyAccess) =>
      computeBlindIndex(await indexKey(instanceIndexScope, access), kind, value),
    async indexerFor(workspaceId: string, access?: KeyAccess): Promise<BlindIndexer> {
      const key = await indexKey(workspaceId, access)
      return Object.freeze({
        index: (kind: BlindIndexKind, value: string) => computeBlindIndex(key, kind, value),
        hex: (kind: BlindIndexKind, value: string) =>
          computeBlindIndex(key, kind, value).toString('hex'),
      })
    },
    blindIndexHex: async (
      workspaceId: string,
      kind: BlindIndexKind,
      value: string,
      access?: KeyAccess,
    ) => computeBlindIndex(await indexKey(workspaceId, access), kind, value).toString('hex'),
    async shredSubject(workspaceId: string, subjectId: string, access: KeyAccess = {}) {
      const keyStore = live()
      keyStore.forgetSubject(workspaceId, subjectId)
      // The keys and the shred count go together: other processes drop their copy on it.
      const keysDestroyed = await keyStore.inTransaction(
        keyStore.scopeFor(access.db),
        async (scope) => {
          // The counter first: on PostgreSQL its row lock then comes before any key row's,
          // in the same order for every shred.
          await bumpShredEpoch(scope.db)
          const destroyed = await deleteSubjectKeys(scope.db, workspaceId, subjectId)
          // A subject that had no keys (never sealed, or shredded before) changes nothing.
          if (destroyed === 0) await unbumpShredEpoch(scope.db)
          // Heard by listening servers when this commits, and not at all if it rolls back.
          else if (dialectOf(scope.db) === 'postgres') await signal(scope.db, shredChannel)
          return destroyed
        },
      )
      // Again after the delete: a lookup that raced it must not leave the key cached.
      keyStore.forgetSubject(workspaceId, subjectId)
      return { keysDestroyed }
    },
    rotate: async (options?: RotateOptions) => rotateKeys(live(), sealedColumns, options),
    async close() {
      closed = true
      store.clear()
      await background.close()
      await listening?.close()
    },
  })
}

function erased(): AppError {
  return new AppError(
    'subject_erased',
    "The data subject's key was destroyed (crypto-shredded): its sealed values can no longer be opened",
  )
}
