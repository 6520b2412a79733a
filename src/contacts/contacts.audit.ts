import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What the contacts module writes to the audit log. Every entry about one contact names
 * it as the subject; `fields` holds field names (`email,name`), never their values.
 */
export const contactsAuditActions = {
  'contact.created': {
    when: 'A contact was made: one by the API, or each of a batch or an import (`via: batch`)',
    details: ['fields', 'via', 'findings', 'flagged', 'kinds'],
  },
  'contact.read': {
    when: 'A contact’s profile was opened: read by id, or found by email or external id',
    details: [],
  },
  'contact.listed': {
    when: 'A page of contacts was opened (not written for an empty page)',
    details: ['count'],
  },
  'contact.updated': {
    when: 'A contact’s profile changed, with what detection found in the fields written',
    details: ['fields', 'findings', 'flagged', 'kinds'],
  },
  'contact.redacted': {
    when: 'Sensitive data in a contact was redacted: as written (`automatic`, never stored) or by an operator',
    details: ['kinds', 'count', 'fields', 'automatic'],
  },
  'contact.deleted': { when: 'A contact was deleted and its key destroyed', details: [] },
  'contact.enriched': {
    when: 'A contact’s profile was enriched from an outside source, with provenance',
    details: ['source', 'fields'],
  },
} as const satisfies AuditActionCatalogue

export type ContactsAuditAction = keyof typeof contactsAuditActions
