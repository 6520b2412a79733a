import type { CellRef } from '../crypto/index.js'
import type { KeyAccess, Keyring } from '../crypto/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import { AppError, isAppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { platformSubjectId, platformWorkspaceId } from './audit.logic.js'
import { type ChainHead, insertEntries, lockHead, updateHead } from './audit.repository.js'
import { type ChainedEntry, chainEntries, genesisHash, headSealText } from './chain.logic.js'
import type { EntryDraft } from './seal-entries.js'

/** Where the head seal lives, as the keyring binds it: one cell of the platform subject. */
export const headSealCell: CellRef = Object.freeze({
  workspaceId: platformWorkspaceId,
  subjectId: platformSubjectId,
  table: 'audit_chain_head',
  column: 'seal',
  rowId: 'head',
})

/** The sealer for the head, looked up before the transaction so sealing needs no I/O. */
export async function headSealerOf(
  keyring: Keyring,
  access: KeyAccess = {},
): Promise<SubjectSealer> {
  return keyring.sealerFor(platformWorkspaceId, platformSubjectId, { ...access, create: true })
}

/**
 * Appends drafts to the chain inside `trx`, a write transaction (`inWriteTransaction`):
 * locks and reads the head, links the drafts after it, inserts them and moves the head,
 * so entries and head commit together or not at all.
 *
 * The current head's seal is checked first. Appending on top of a head someone moved
 * (say, after deleting the newest entries) would re-seal the forgery and hide it for
 * good; instead the append fails, loudly, until an administrator has looked.
 */
export async function appendEntries(
  trx: Database,
  keyring: Keyring,
  headSealer: SubjectSealer,
  drafts: readonly EntryDraft[],
): Promise<ChainedEntry[]> {
  if (drafts.length === 0) return []
  const head = await lockHead(trx)
  // Key look-ups for the check go through `trx`: on SQLite it holds the only connection.
  // Opening never makes a key, so no nested transaction is begun.
  await assertHeadSealed(keyring, head, { db: trx })
  const chained = chainEntries(head, drafts)
  const last = chained[chained.length - 1]
  if (last === undefined) return []
  await insertEntries(trx, chained)
  const moved = { seq: last.seq, lastId: last.id, hash: last.hash }
  await updateHead(trx, { ...moved, seal: headSealer.seal(headSealCell, headSealText(moved)) })
  return chained
}

/** True when the head's seal opens and names exactly this head. */
export async function isHeadSealValid(
  keyring: Keyring,
  head: ChainHead,
  access: KeyAccess = {},
): Promise<boolean> {
  // The genesis head is written by the migration, before any key exists.
  if (
    head.seq === 0 &&
    head.seal === null &&
    head.lastId === null &&
    head.hash.equals(genesisHash)
  ) {
    return true
  }
  if (head.seal === null) return false
  try {
    return (await keyring.openText(headSealCell, head.seal, access)) === headSealText(head)
  } catch (error) {
    // Altered, moved, or its key destroyed: in every case the head is not vouched for.
    if (
      isAppError(error) &&
      (error.code === 'sealed_value_invalid' || error.code === 'subject_erased')
    ) {
      return false
    }
    throw error
  }
}

async function assertHeadSealed(
  keyring: Keyring,
  head: ChainHead,
  access: KeyAccess,
): Promise<void> {
  if (await isHeadSealValid(keyring, head, access)) return
  throw new AppError(
    'internal',
    'The audit chain head failed its integrity check: appends are stopped; run `custodian audit verify`',
  )
}
