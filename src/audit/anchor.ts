import type { CellRef, KeyAccess, Keyring } from '../crypto/index.js'
import { isAppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { headSealerOf } from './append-entries.js'
import { platformSubjectId, platformWorkspaceId } from './audit.logic.js'
import { lockHead, toSeq } from './audit.repository.js'
import { type ChainCursor, chainFormat } from './chain.logic.js'

/**
 * The audit log's own retention rule (Art. 5(1)(e), 5(2)): the oldest entries may be
 * removed once the instance's period has passed, as a prefix of the chain only, and the
 * last entry removed becomes the anchor: its seq, id and hash, sealed under the master
 * key. The first kept entry chains to that hash, so the log still verifies end to end
 * from the anchor, and someone with database access but no master key cannot move the
 * anchor to hide a deletion. The database refuses to delete any entry above the anchor
 * (migration 0071).
 */

export interface Anchor {
  readonly seq: number
  readonly lastId: string
  readonly hash: Buffer
  readonly seal: Buffer
}

const anchorSlot = 'anchor'

export const anchorSealCell: CellRef = Object.freeze({
  workspaceId: platformWorkspaceId,
  subjectId: platformSubjectId,
  table: 'audit_anchor',
  column: 'seal',
  rowId: anchorSlot,
})

export function anchorSealText(anchor: { seq: number; lastId: string; hash: Buffer }): string {
  return JSON.stringify([
    `${chainFormat}/anchor`,
    anchor.seq,
    anchor.lastId,
    anchor.hash.toString('hex'),
  ])
}

export async function selectAnchor(db: Database): Promise<Anchor | undefined> {
  const row = await db
    .selectFrom('audit_anchor')
    .select(['seq', 'last_id', 'hash', 'seal'])
    .where('slot', '=', anchorSlot)
    .executeTakeFirst()
  return row && { seq: toSeq(row.seq), lastId: row.last_id, hash: row.hash, seal: row.seal }
}

export async function isAnchorSealValid(
  keyring: Keyring,
  anchor: Anchor,
  access: KeyAccess = {},
): Promise<boolean> {
  try {
    return (await keyring.openText(anchorSealCell, anchor.seal, access)) === anchorSealText(anchor)
  } catch (error) {
    if (
      isAppError(error) &&
      (error.code === 'sealed_value_invalid' || error.code === 'subject_erased')
    ) {
      return false
    }
    throw error
  }
}

/** Where a walk of the chain starts: after the anchor, or at the genesis. */
export function cursorAfter(anchor: Anchor | undefined, genesis: ChainCursor): ChainCursor {
  return anchor === undefined
    ? genesis
    : { seq: anchor.seq, hashHex: anchor.hash.toString('hex'), id: anchor.lastId }
}

/**
 * The entries a purge before `cutoff` would remove: the prefix after the anchor up to
 * the first entry written at or after the cutoff (never past it, so the chain stays one).
 */
export async function countPurgeableEntries(db: Database, cutoff: string): Promise<number> {
  const anchor = await selectAnchor(db)
  const from = anchor?.seq ?? 0
  const upTo = await prefixEnd(db, from, cutoff, Number.MAX_SAFE_INTEGER)
  return Math.max(0, upTo - from)
}

async function prefixEnd(db: Database, from: number, cutoff: string, limit: number) {
  const seqOf = (row: { seq: number | string | null } | undefined) =>
    row === undefined || row.seq === null ? undefined : toSeq(row.seq)
  const boundary = seqOf(
    await db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.min<number | string | null>('seq').as('seq'))
      .where('seq', '>', from)
      .where('at', '>=', cutoff)
      .executeTakeFirst(),
  )
  const last = seqOf(
    await db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.max<number | string | null>('seq').as('seq'))
      .executeTakeFirst(),
  )
  const before = boundary === undefined ? (last ?? from) : boundary - 1
  return Math.min(before, from + limit)
}

/**
 * Removes at most `limit` entries written before `cutoff` from the start of the chain,
 * in the caller's write transaction: the anchor moves to the last entry removed first
 * (the guard allows deleting only what it covers), then the entries go. The head is
 * locked meanwhile, so no append interleaves. Answers how many entries went.
 */
export async function purgeEntriesBefore(
  trx: Database,
  keyring: Keyring,
  input: { cutoff: string; limit: number; now: Date },
): Promise<number> {
  await lockHead(trx)
  const anchor = await selectAnchor(trx)
  const from = anchor?.seq ?? 0
  const upTo = await prefixEnd(trx, from, input.cutoff, input.limit)
  if (upTo <= from) return 0
  const last = await trx
    .selectFrom('audit_entries')
    .select(['seq', 'id', 'hash'])
    .where('seq', '=', upTo)
    .executeTakeFirstOrThrow()
  const moved = { seq: upTo, lastId: last.id, hash: last.hash }
  // The sealer is the head's (the platform subject's key): found through `trx`, which on
  // SQLite holds the only connection; it exists once any entry was appended.
  const sealer = await headSealerOf(keyring, { db: trx })
  const seal = sealer.seal(anchorSealCell, anchorSealText(moved))
  const values = {
    seq: moved.seq,
    last_id: moved.lastId,
    hash: moved.hash,
    moved_at: input.now.toISOString(),
    seal,
  }
  if (anchor === undefined) {
    await trx
      .insertInto('audit_anchor')
      .values({ slot: anchorSlot, ...values })
      .execute()
  } else {
    await trx.updateTable('audit_anchor').set(values).where('slot', '=', anchorSlot).execute()
  }
  const result = await trx
    .deleteFrom('audit_entries')
    .where('seq', '>', from)
    .where('seq', '<=', upTo)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
