import type { AuditActionCatalogue } from '../audit/index.js'

/**
 * What the inbox writes to the audit log. Entries about a conversation name its person
 * as the subject; details hold kinds, counts and field names, never a message's text
 * or a detected value.
 */
export const inboxAuditActions = {
  'inbox.conversation_started': {
    when: 'A conversation was started, by a visitor or for a contact',
    details: ['via'],
  },
  'inbox.conversations_listed': {
    when: 'A page of conversations was opened (not written for an empty page)',
    details: ['count'],
  },
  'inbox.conversation_changed': {
    when: 'A conversation’s state or assignee changed',
    details: ['fields', 'state'],
  },
  'inbox.message_posted': {
    when: 'A message was written to a conversation, with what detection found in it',
    details: ['author', 'findings', 'flagged', 'kinds', 'attachments'],
  },
  'inbox.messages_read': {
    when: 'The messages of a conversation were opened (their bodies read)',
    details: ['count'],
  },
  'inbox.attachment_read': { when: 'An attachment’s file was opened', details: ['size'] },
  'inbox.message_redacted': {
    when: 'Findings in a message were redacted in place and the original’s key destroyed',
    details: ['kinds', 'count', 'automatic'],
  },
  'inbox.enriched': {
    when: 'A person’s public profile was resolved by an enrichment provider, with provenance',
    details: ['source', 'fields'],
  },
  'inbox.enrichment_read': {
    when: 'The enriched profile of a conversation’s person was opened (values and provenance)',
    details: ['count'],
  },
  'inbox.enrichment_refused': {
    when: 'Enrichment was refused: no lawful basis, an objection, a restriction, or a transfer',
    details: ['source', 'reason'],
  },
} as const satisfies AuditActionCatalogue

export type InboxAuditAction = keyof typeof inboxAuditActions
