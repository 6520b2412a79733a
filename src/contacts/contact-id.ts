import type { ContactDeps } from './contacts.service.js'
import { findContact, findContactByIndex } from './contacts.repository.js'

/**
 * The id of the contact with this external id, found through its blind index: nothing
 * is opened, so it is not a read of personal data and writes no audit entry (identify
 * asks it on every sign-in of a visitor; `contact.read` there would record a read that
 * never happened).
 */
export async function findContactIdByExternalId(
  deps: Pick<ContactDeps, 'db' | 'keyring'>,
  workspaceId: string,
  externalId: string,
): Promise<string | undefined> {
  const index = await deps.keyring.blindIndex(workspaceId, 'external_id', externalId)
  return (await findContactByIndex(deps.db, workspaceId, 'external_id_index', index))?.id
}

/**
 * The subject a contact is sealed under (the person's key holder), for a module that
 * keeps the person's data beside the contact (the inbox's conversations). Nothing is
 * opened, so no audit entry.
 */
export async function findContactSubjectId(
  deps: Pick<ContactDeps, 'db'>,
  workspaceId: string,
  contactId: string,
): Promise<string | undefined> {
  return (await findContact(deps.db, workspaceId, contactId))?.subject_id
}
