import { timingSafeEqual } from 'node:crypto'
import type { Clock } from '../clock.js'
import { AppError } from '../errors.js'
import type { Database } from '../storage/database.js'
import type { KeyProvider } from './key-provider.js'

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
  const opened = await provider.unwrapKey(row.canary, context).catch(() => undefined)
  if (
    opened === undefined ||
    opened.length !== canaryText.length ||
    !timingSafeEqual(opened, canaryText)
  ) {
    throw new AppError(
      'master_key_mismatch',
      'The configured master key is not the key this database was set up with (check CUSTODIAN_MASTER_KEY or CUSTODIAN_MASTER_KEY_FILE); start-up stopped and nothing was changed',
    )
  }
}
