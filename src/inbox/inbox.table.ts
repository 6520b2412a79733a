/**
 * The inbox's tables. The person is a subject (the subjects module's); every row
 * stores its `subject_id`, the person's key holder, so erasing the person finds and
 * shreds all of it. Times are ISO text, sealed values binary.
 */
export type ConversationState = 'open' | 'snoozed' | 'resolved'
export type MessageAuthor = 'contact' | 'operator'

export interface InboxConversationsTable {
  id: string
  workspace_id: string
  /** The person's subject: the key holder of everything in the conversation. */
  subject_id: string
  /** The contact it was started for, when it was (not a foreign key: contacts may go first). */
  contact_id: string | null
  /** Blind index of the visitor's anonymous id, when a visitor started it: their own door. */
  visitor_index: Buffer | null
  state: ConversationState
  snoozed_until: string | null
  /** The operator it is assigned to. */
  assignee_id: string | null
  created_at: string
  updated_at: string
  last_message_at: string
}

export interface InboxMessagesTable {
  id: string
  workspace_id: string
  conversation_id: string
  subject_id: string
  /**
   * The key holder sealing `body`: the person's subject, or, while the body holds a
   * finding that may still be redacted, a key holder of its own, so that redacting it
   * destroys the original's key alone (see redact-message.ts).
   */
  body_key_id: string
  author: MessageAuthor
  operator_id: string | null
  body: Buffer
  created_at: string
  redacted_at: string | null
}

export interface InboxAttachmentsTable {
  id: string
  workspace_id: string
  message_id: string
  subject_id: string
  /** Sealed JSON: the file's name and media type. */
  meta: Buffer
  /** Sealed bytes of the file. */
  content: Buffer
  size_bytes: number
  created_at: string
}

export type FindingStatus = 'flagged' | 'unflagged' | 'redacted'

export interface InboxFindingsTable {
  id: string
  workspace_id: string
  message_id: string
  subject_id: string
  kind: string
  scheme: string | null
  /** Offsets in the message body as stored now (after any redaction), UTF-16 code units. */
  start_offset: number
  end_offset: number
  /** Confidence in hundredths (0–99): integers compare the same on both databases. */
  confidence: number
  status: FindingStatus
  created_at: string
  redacted_at: string | null
}

export interface InboxEnrichmentsTable {
  id: string
  workspace_id: string
  subject_id: string
  contact_id: string | null
  field: string
  /** Sealed: the value found. */
  value: Buffer
  /** Provenance, in clear (no personal data): where it came from, when, on what basis. */
  source: string
  lawful_basis: string
  resolved_at: string
}
