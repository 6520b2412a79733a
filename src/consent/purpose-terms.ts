import { hash } from 'node:crypto'
import type { Database } from '../storage/index.js'
import { insertPurposeTerms, selectPurposeTerms } from './catalogue.repository.js'
import { type PurposeTerms, purposeTermsFromText, purposeTermsText } from './purposes.logic.js'

/**
 * Keeps these purposes' terms, once per wording, and returns each one's digest by
 * purpose name. The ledger calls it in the transaction that appends the choices citing
 * them, so an event never cites terms that were not kept.
 */
export async function recordPurposeTerms(
  trx: Database,
  workspaceId: string,
  purposes: readonly PurposeTerms[],
  at: string,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>()
  // In name order: two writes keeping the same terms lock their rows in one order.
  const byName = [...purposes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const purpose of byName) {
    const terms = purposeTermsText(purpose)
    const termsSha256 = hash('sha256', terms, 'hex')
    await insertPurposeTerms(trx, {
      workspace_id: workspaceId,
      terms_sha256: termsSha256,
      terms,
      recorded_at: at,
    })
    digests.set(purpose.name, termsSha256)
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
