import { timingSafeEqual } from 'node:crypto'
import type { Clock } from '../clock.js'
import { AppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import type { KeyProvider } from './key-provider.js'
import { locksRows } from '../storage/index.js'

/**
 * The canary: a known value wrapped by the first master key and kept in the database.
 * Every open unwraps it before anything else happens, so a wrong master key stops
 * start-up with a clear message instead of failing later, value by value, or worse,
 * sealing new data under a second key.
 */
const canaryText = Buffer.from('custodian master key check v1...', 'latin1')
const context = { purpose: 'key-check' } as const

export async function hasKeyCheck(db: Database): Promise<boolean> {
  try {
    const row = await db.selectFrom('key_check').select('slot').executeTakeFirst()
    return row !== undefined
  } catch (error) {
    throw new Error('The key tables are missing: run `custodian migrate` first', { cause: error })
  }
}

/** Verifies the canary, making it first when this is the database's first key. */
export async function verifyKeyCheck(
  db: Database,
  provider: KeyProvider,
  clock: Clock,
): Promise<void> {
  let row = await db.selectFrom('key_check').selectAll().executeTakeFirst()
  if (row === undefined) {
    const canary = await provider.wrapKey(canaryText, context)
    // Racing first starts: one insert wins, and every process then checks that one.
    await db
      .insertInto('key_check')
      .values({
        slot: 'this',
        provider: provider.kind,
        canary,
        created_at: clock.now().toISOString(),
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute()
    row = await db.selectFrom('key_check').selectAll().executeTakeFirstOrThrow()
  }
  if (row.provider !== provider.kind) {
    throw new AppError(
      'master_key_mismatch',
      `This database's keys are held by a "${row.provider}" key provider, but a "${provider.kind}" one is configured; start-up stopped and nothing was changed`,
    )
  }
  if (!(await canaryOpens(provider, row.canary))) {
    throw new AppError(
      'master_key_mismatch',
      'The configured master key is not the key this database was set up with (check CUSTODIAN_MASTER_KEY or CUSTODIAN_MASTER_KEY_FILE); start-up stopped and nothing was changed',
    )
  }
}

/** Whether `provider` holds the master key the canary was wrapped under. */
export async function canaryOpens(provider: KeyProvider, canary: Uint8Array): Promise<boolean> {
  const opened = await provider.unwrapKey(canary, context).catch(() => undefined)
  if (opened === undefined) return false
  const same = opened.length === canaryText.length && timingSafeEqual(opened, canaryText)
  opened.fill(0)
  return same
}

/**
 * Before this process wraps a new key under its master key: the database must still be
 * keyed to that master key. Another process may have moved it to a new one
 * (`keys rotate --new-master-key-file`); a key wrapped under the old one now would be
 * unreadable after the next restart. Inside a write transaction, which the master-key
 * change takes too (locked FOR SHARE on PostgreSQL), so the two cannot interleave.
 */
export async function assertKeyCheckCurrent(trx: Database, provider: KeyProvider): Promise<void> {
  let query = trx.selectFrom('key_check').select(['provider', 'canary'])
  if (locksRows(trx)) query = query.forShare()
  const row = await query.executeTakeFirst()
  if (row === undefined) return // the very first key: the key check is being made with it
  if (row.provider !== provider.kind || !(await canaryOpens(provider, row.canary))) {
    throw new AppError(
      'master_key_mismatch',
      'The master key was changed since this process started (keys rotate --new-master-key-file): restart it with the new key',
    )
  }
}

/** The canary and provider kind under a new master key, in the master-key change's transaction. */
export async function rewrapKeyCheck(trx: Database, next: KeyProvider): Promise<void> {
  const canary = await next.wrapKey(canaryText, context)
  await trx.updateTable('key_check').set({ provider: next.kind, canary }).execute()
}
