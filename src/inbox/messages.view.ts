import type { SubjectSealer } from '../crypto/index.js'
import type {
  FindingStatus,
  InboxAttachmentsTable,
  InboxFindingsTable,
  InboxMessagesTable,
  MessageAuthor,
} from './inbox.table.js'

/** A finding as operators see it: what and where, never the value. */
export interface FindingView {
  id: string
  kind: string
  scheme: string | null
  start: number
  end: number
  confidence: number
  status: FindingStatus
}

export interface AttachmentView {
  id: string
  name: string
  type: string
  size: number
}

export interface MessageView {
  id: string
  conversationId: string
  author: MessageAuthor
  operatorId: string | null
  body: string
  createdAt: string
  redactedAt: string | null
  attachments: AttachmentView[]
  /** Shown to staff only; a visitor's view has none. */
  findings?: FindingView[]
}

// Each sealed value is bound to its table, column and row (crypto/envelope.ts), exactly
// as declared for re-sealing in personal-data.ts.
export const bodyCell = (messageId: string) => ({
  table: 'inbox_messages',
  column: 'body',
  rowId: messageId,
})
export const attachmentCell = (attachmentId: string, column: 'meta' | 'content') => ({
  table: 'inbox_attachments',
  column,
  rowId: attachmentId,
})

export function findingView(row: InboxFindingsTable): FindingView {
  return {
    id: row.id,
    kind: row.kind,
    scheme: row.scheme,
    start: row.start_offset,
    end: row.end_offset,
    confidence: row.confidence / 100,
    status: row.status,
  }
}

export function attachmentView(
  row: Pick<InboxAttachmentsTable, 'id' | 'meta' | 'size_bytes'>,
  sealer: SubjectSealer,
): AttachmentView {
  const meta = sealer.openJson(attachmentCell(row.id, 'meta'), row.meta) as {
    name: string
    type: string
  }
  return { id: row.id, name: meta.name, type: meta.type, size: row.size_bytes }
}

export function messageView(
  row: InboxMessagesTable,
  body: string,
  attachments: AttachmentView[],
  findings: FindingView[] | undefined,
): MessageView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    author: row.author,
    operatorId: row.operator_id,
    body,
    createdAt: row.created_at,
    redactedAt: row.redacted_at,
    attachments,
    ...(findings === undefined ? {} : { findings }),
  }
}
