import { AppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction, locksRows } from '../storage/index.js'
import { canaryOpens, rewrapKeyCheck } from './key-check.js'
import type { KeyProvider, WrapContext } from './key-provider.js'
import { blindIndexKeyContext, workspaceKeyContext } from './workspace-keys.js'

/** What a master-key change re-wrapped. */
export interface MasterKeyChange {
  workspaceKeys: number
  blindIndexKeys: number
}

/**
 * Moves the database from one master key (or key provider) to another: every key the
 * master key wraps — each workspace key version still held, each workspace's blind-index
 * key and the key-check canary — is unwrapped with `current` and wrapped with `next`,
 * all in one write transaction, so the database is keyed to one master key or the
 * other, never half of each. Nothing below (subject keys, sealed values, the audit
 * chain) changes: those are wrapped by workspace keys, whose clear bytes stay the same.
 *
 * While it runs, a process still on the old key cannot wrap a new key under it (see
 * assertKeyCheckCurrent); once it is done, every process must restart with the new key.
 * Lock order on PostgreSQL, as every transaction that writes master-wrapped keys takes
 * it: the key_check row first, then key rows.
 * The old key can be destroyed after that: no wrapped byte depends on it any more
 * (backups taken before still do: keep the old key as long as those backups).
 */
export async function changeMasterKey(
  db: Database,
  current: KeyProvider,
  next: KeyProvider,
): Promise<MasterKeyChange> {
  return inWriteTransaction(db, async (trx) => {
    let check = trx.selectFrom('key_check').select(['provider', 'canary'])
    if (locksRows(trx)) check = check.forUpdate()
    const row = await check.executeTakeFirst()
    if (row === undefined) {
      throw new AppError('conflict', 'This database holds no keys yet: there is nothing to re-wrap')
    }
    if (row.provider !== current.kind || !(await canaryOpens(current, row.canary))) {
      throw new AppError(
        'master_key_mismatch',
        'The configured master key is not the key this database is keyed to; nothing was changed',
      )
    }
    if (next.kind === current.kind && (await canaryOpens(next, row.canary))) {
      throw new AppError(
        'invalid_request',
        'The new master key is the key already in use; nothing was changed',
      )
    }
    // Locked (PostgreSQL): a rotation retiring a version meanwhile (wrapped_key set to
    // null) is waited for and its row skipped, never written back with its old key.
    let workspaceQuery = trx
      .selectFrom('workspace_keys')
      .select(['workspace_id', 'version', 'wrapped_key'])
      .where('wrapped_key', 'is not', null)
    if (locksRows(trx)) workspaceQuery = workspaceQuery.forUpdate()
    const workspaceKeys = await workspaceQuery.execute()
    for (const key of workspaceKeys) {
      if (key.wrapped_key === null) continue
      const context = workspaceKeyContext(key.workspace_id, key.version)
      const wrapped = await rewrap(current, next, key.wrapped_key, context)
      await trx
        .updateTable('workspace_keys')
        .set({ wrapped_key: wrapped })
        .where('workspace_id', '=', key.workspace_id)
        .where('version', '=', key.version)
        .where('wrapped_key', 'is not', null)
        .execute()
    }
    let indexQuery = trx.selectFrom('blind_index_keys').select(['workspace_id', 'wrapped_key'])
    if (locksRows(trx)) indexQuery = indexQuery.forUpdate()
    const indexKeys = await indexQuery.execute()
    for (const key of indexKeys) {
      const context = blindIndexKeyContext(key.workspace_id)
      const wrapped = await rewrap(current, next, key.wrapped_key, context)
      await trx
        .updateTable('blind_index_keys')
        .set({ wrapped_key: wrapped })
        .where('workspace_id', '=', key.workspace_id)
        .execute()
    }
    await rewrapKeyCheck(trx, next)
    return { workspaceKeys: workspaceKeys.length, blindIndexKeys: indexKeys.length }
  })
}

async function rewrap(
  current: KeyProvider,
  next: KeyProvider,
  wrapped: Buffer,
  context: WrapContext,
): Promise<Buffer> {
  let clear: Buffer
  try {
    clear = await current.unwrapKey(wrapped, context)
  } catch (error) {
    throw new AppError(
      'internal',
      `A ${context.purpose ?? 'key'} of workspace ${context.workspace ?? '?'} does not unwrap under the current master key: the key tables were altered; nothing was changed`,
      { cause: error },
    )
  }
  try {
    return await next.wrapKey(clear, context)
  } finally {
    clear.fill(0)
  }
}
