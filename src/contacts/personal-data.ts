import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
  RetentionRule,
  RetentionScope,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import {
  countInactiveContacts,
  deleteContactsOfSubjects,
  deleteInactiveContacts,
  selectContactsOfPerson,
} from './contacts.repository.js'
import { contactsSettings } from './contacts.settings.js'
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
    retention: [inactiveContactsRetention(deps.db)],
  }
}

/**
 * Art. 5(1)(e): a CRM profile neither changed nor active for the workspace's period is
 * no longer needed and goes. The person's events and consent proof keep their own rules.
 */
function inactiveContactsRetention(db: Database): RetentionRule {
  const cutoffOf = (scope: RetentionScope) => {
    const days = contactsSettings.read(scope.settings ?? {}).retentionDays.inactiveContacts
    return { days, cutoff: new Date(scope.now.getTime() - days * 86_400_000).toISOString() }
  }
  return {
    name: 'inactive-contacts',
    table: 'contacts',
    scope: 'workspace',
    describe: (scope) =>
      `contacts with no change and no activity for ${String(cutoffOf(scope).days)} days`,
    countExpired: async (scope) =>
      scope.workspaceId === null
        ? 0
        : countInactiveContacts(db, scope.workspaceId, cutoffOf(scope).cutoff),
    purgeExpired: async (trx, scope, limit) =>
      scope.workspaceId === null
        ? 0
        : deleteInactiveContacts(trx, scope.workspaceId, cutoffOf(scope).cutoff, limit),
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
