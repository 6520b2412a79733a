import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import { deleteContactsOfSubjects, selectContactsOfPerson } from './contacts.repository.js'
import { type ContactDeps, openContact } from './contacts.service.js'
import type { ContactsTable } from './contacts.table.js'

/** The contacts module's personal data: CRM profiles. */
export const contactsTables: readonly PersonalTable[] = [
  {
    name: 'contacts',
    categories: ['identifiers', 'contact-profile'],
    // Sealed under the person's subject (a contact from before migration 0013 is its
    // own subject: subject_id = id).
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'subject_id',
      columns: ['profile'],
    },
    otherBinary: {
      email_index: 'a keyed blind index (HMAC) of the email: it finds, it never reveals',
      external_id_index: 'a keyed blind index (HMAC) of the external id',
    },
    retention: 'as long as the workspace keeps the contact in its CRM; erased with the person',
  },
]

export function contactsPersonalData(
  deps: Pick<ContactDeps, 'db' | 'keyring'>,
): PersonalDataSource {
  const contactsOf = (db: Database, subject: ResolvedSubject) =>
    selectContactsOfPerson(db, subject.workspaceId, {
      emailIndexes: indexesOf(subject, 'email'),
      externalIdIndexes: indexesOf(subject, 'external_id'),
      subjectIds: subject.keyHolders,
    })
  return {
    module: 'contacts',
    tables: contactsTables,
    async locate(subject) {
      const rows = await contactsOf(deps.db, subject)
      return {
        rows: { contacts: rows.length },
        keyHolders: [...new Set(rows.map((row) => row.subject_id))],
        identifiers: rows.flatMap(identifiersOf),
      }
    },
    async exportTo(subject, writer) {
      for (const row of await contactsOf(deps.db, subject)) {
        await writer.add('contacts', 'contacts', { ...(await openContact(deps, row)) })
      }
    },
    async erase(trx, subject) {
      // By the key holders alone (a resumed erasure has no identifiers): every contact
      // sealed under one of the person's keys.
      const contacts = await deleteContactsOfSubjects(trx, subject.workspaceId, subject.keyHolders)
      return { outcome: 'erased', rows: { contacts } }
    },
  }
}

function indexesOf(subject: ResolvedSubject, kind: BlindIdentifier['kind']): Buffer[] {
  return subject.identifiers
    .filter((identifier) => identifier.kind === kind)
    .map((identifier) => identifier.blindIndex)
}

function identifiersOf(row: ContactsTable): BlindIdentifier[] {
  return [
    ...(row.email_index === null ? [] : [{ kind: 'email' as const, blindIndex: row.email_index }]),
    ...(row.external_id_index === null
      ? []
      : [{ kind: 'external_id' as const, blindIndex: row.external_id_index }]),
  ]
}
