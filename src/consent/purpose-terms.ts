import { hash } from 'node:crypto'
import type { Database } from '../storage/database.js'
import { insertPurposeTerms, selectPurpose, selectPurposeTerms } from './catalogue.repository.js'
import {
  type PurposeTerms,
  purposeTermsFromText,
  purposeTermsOf,
  purposeTermsText,
  resolvePurpose,
} from './purposes.logic.js'

/**
 * Keeps the terms each named purpose has now, once per wording, and returns each one's
 * digest by purpose name (a name the catalogue does not know has none). The ledger
 * calls it in the transaction that appends the choices citing them, so an event never
 * cites terms that were not kept.
 */
export async function recordPurposeTerms(
  trx: Database,
  workspaceId: string,
  purposeNames: Iterable<string>,
  at: string,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>()
  // In name order: two writes keeping the same terms lock their rows in one order.
  for (const name of [...new Set(purposeNames)].sort()) {
    const purpose = resolvePurpose(name, await selectPurpose(trx, workspaceId, name))
    if (purpose === undefined) continue
    const terms = purposeTermsText(purposeTermsOf(purpose))
    const termsSha256 = hash('sha256', terms, 'hex')
    await insertPurposeTerms(trx, {
      workspace_id: workspaceId,
      terms_sha256: termsSha256,
      terms,
      recorded_at: at,
    })
    digests.set(name, termsSha256)
  }
  return digests
}

/** The terms kept under this digest in the workspace, if any. */
export async function findPurposeTerms(
  db: Database,
  workspaceId: string,
  termsSha256: string,
): Promise<PurposeTerms | undefined> {
  const row = await selectPurposeTerms(db, workspaceId, termsSha256)
  return row === undefined ? undefined : purposeTermsFromText(row.terms)
}
