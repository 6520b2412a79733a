import type { Database } from '../storage/index.js'
import type {
  ConversationState,
  InboxAttachmentsTable,
  InboxConversationsTable,
  InboxEnrichmentsTable,
  InboxFindingsTable,
  InboxMessagesTable,
} from './inbox.table.js'

// SQL of the inbox. Every function takes the workspace id first after `db`.

// Values per `in (…)`, well under both databases' bound-parameter limits.
const chunkSize = 500

async function inChunks<T, R>(
  items: readonly T[],
  run: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const results: R[] = []
  for (let start = 0; start < items.length; start += chunkSize) {
    results.push(...(await run(items.slice(start, start + chunkSize))))
  }
  return results
}

export async function insertConversation(
  db: Database,
  row: InboxConversationsTable,
): Promise<void> {
  await db.insertInto('inbox_conversations').values(row).execute()
}

export async function findConversation(
  db: Database,
  workspaceId: string,
  conversationId: string,
): Promise<InboxConversationsTable | undefined> {
  return db
    .selectFrom('inbox_conversations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', conversationId)
    .executeTakeFirst()
}

export interface ConversationFilter {
  state?: ConversationState
  assigneeId?: string
  /** The person's subjects (a contact's, or every subject linked to them). */
  subjectIds?: readonly string[]
  visitorIndex?: Buffer
}

/** Newest first; `before` is the id of the last conversation of the previous page. */
export async function listConversationRows(
  db: Database,
  workspaceId: string,
  filter: ConversationFilter,
  page: { before?: string; limit: number },
): Promise<InboxConversationsTable[]> {
  let query = db
    .selectFrom('inbox_conversations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
  if (filter.state !== undefined) query = query.where('state', '=', filter.state)
  if (filter.assigneeId !== undefined) query = query.where('assignee_id', '=', filter.assigneeId)
  if (filter.subjectIds !== undefined) {
    if (filter.subjectIds.length === 0) return []
    query = query.where('subject_id', 'in', filter.subjectIds.slice(0, chunkSize))
  }
  if (filter.visitorIndex !== undefined)
    query = query.where('visitor_index', '=', filter.visitorIndex)
  if (page.before !== undefined) query = query.where('id', '<', page.before)
  return query.orderBy('id', 'desc').limit(page.limit).execute()
}

export async function hasVisitorConversation(
  db: Database,
  workspaceId: string,
  visitorIndex: Buffer,
): Promise<boolean> {
  const row = await db
    .selectFrom('inbox_conversations')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('visitor_index', '=', visitorIndex)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export async function updateConversationRow(
  db: Database,
  workspaceId: string,
  conversationId: string,
  changes: Partial<
    Pick<
      InboxConversationsTable,
      'state' | 'snoozed_until' | 'assignee_id' | 'updated_at' | 'last_message_at'
    >
  >,
): Promise<void> {
  await db
    .updateTable('inbox_conversations')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', conversationId)
    .execute()
}

/** Opens the workspace's conversations snoozed until `now` or before; returns them. */
export async function wakeSnoozedConversations(
  db: Database,
  workspaceId: string,
  now: string,
): Promise<Pick<InboxConversationsTable, 'id' | 'subject_id'>[]> {
  return db
    .updateTable('inbox_conversations')
    .set({ state: 'open', snoozed_until: null, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('state', '=', 'snoozed')
    .where('snoozed_until', '<=', now)
    .returning(['id', 'subject_id'])
    .execute()
}

export async function insertMessage(db: Database, row: InboxMessagesTable): Promise<void> {
  await db.insertInto('inbox_messages').values(row).execute()
}

export async function insertFindings(
  db: Database,
  rows: readonly InboxFindingsTable[],
): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('inbox_findings')
      .values([...rows])
      .execute()
}

export async function insertAttachments(
  db: Database,
  rows: readonly InboxAttachmentsTable[],
): Promise<void> {
  for (const row of rows) await db.insertInto('inbox_attachments').values(row).execute()
}

export async function selectMessagesOf(
  db: Database,
  workspaceId: string,
  conversationIds: readonly string[],
): Promise<InboxMessagesTable[]> {
  return inChunks(conversationIds, (chunk) =>
    db
      .selectFrom('inbox_messages')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('conversation_id', 'in', chunk)
      .orderBy('id')
      .execute(),
  )
}

export async function findMessage(
  db: Database,
  workspaceId: string,
  messageId: string,
): Promise<InboxMessagesTable | undefined> {
  return db
    .selectFrom('inbox_messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId)
    .executeTakeFirst()
}

export async function updateMessageBody(
  db: Database,
  workspaceId: string,
  messageId: string,
  changes: Pick<InboxMessagesTable, 'body' | 'body_key_id' | 'redacted_at'>,
): Promise<void> {
  await db
    .updateTable('inbox_messages')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId)
    .execute()
}

export async function selectFindingsOf(
  db: Database,
  workspaceId: string,
  messageIds: readonly string[],
): Promise<InboxFindingsTable[]> {
  return inChunks(messageIds, (chunk) =>
    db
      .selectFrom('inbox_findings')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('message_id', 'in', chunk)
      .orderBy('start_offset')
      .execute(),
  )
}

export async function updateFinding(
  db: Database,
  workspaceId: string,
  findingId: string,
  changes: Pick<InboxFindingsTable, 'start_offset' | 'end_offset' | 'status' | 'redacted_at'>,
): Promise<void> {
  await db
    .updateTable('inbox_findings')
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', findingId)
    .execute()
}

/** Attachments of the messages, without their files. */
export async function selectAttachmentsOf(
  db: Database,
  workspaceId: string,
  messageIds: readonly string[],
): Promise<Omit<InboxAttachmentsTable, 'content'>[]> {
  return inChunks(messageIds, (chunk) =>
    db
      .selectFrom('inbox_attachments')
      .select([
        'id',
        'workspace_id',
        'message_id',
        'subject_id',
        'meta',
        'size_bytes',
        'created_at',
      ])
      .where('workspace_id', '=', workspaceId)
      .where('message_id', 'in', chunk)
      .orderBy('id')
      .execute(),
  )
}

export async function findAttachment(
  db: Database,
  workspaceId: string,
  attachmentId: string,
): Promise<InboxAttachmentsTable | undefined> {
  return db
    .selectFrom('inbox_attachments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', attachmentId)
    .executeTakeFirst()
}

export async function insertEnrichments(
  db: Database,
  rows: readonly InboxEnrichmentsTable[],
): Promise<void> {
  if (rows.length > 0)
    await db
      .insertInto('inbox_enrichments')
      .values([...rows])
      .execute()
}

export async function selectEnrichmentsOf(
  db: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<InboxEnrichmentsTable[]> {
  return inChunks(subjectIds, (chunk) =>
    db
      .selectFrom('inbox_enrichments')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
      .orderBy('id')
      .execute(),
  )
}

/** The person's conversations: under one of their subjects, or started by their visitor id. */
export async function selectConversationsOfPerson(
  db: Database,
  workspaceId: string,
  person: { subjectIds: readonly string[]; visitorIndexes: readonly Buffer[] },
): Promise<InboxConversationsTable[]> {
  const bySubject = await inChunks(person.subjectIds, (chunk) =>
    db
      .selectFrom('inbox_conversations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subject_id', 'in', chunk)
      .execute(),
  )
  const byVisitor = await inChunks(person.visitorIndexes, (chunk) =>
    db
      .selectFrom('inbox_conversations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('visitor_index', 'in', chunk)
      .execute(),
  )
  const unique = new Map([...bySubject, ...byVisitor].map((row) => [row.id, row]))
  return [...unique.values()].sort((a, b) => a.id.localeCompare(b.id))
}

/** Deletes every inbox row sealed under or belonging to these subjects; counts per table. */
export async function deleteInboxRowsOfSubjects(
  trx: Database,
  workspaceId: string,
  subjectIds: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {
    inbox_findings: 0,
    inbox_attachments: 0,
    inbox_messages: 0,
    inbox_conversations: 0,
    inbox_enrichments: 0,
  }
  // Children first: messages refer to conversations, findings and attachments to messages.
  const tables = [
    'inbox_findings',
    'inbox_attachments',
    'inbox_messages',
    'inbox_conversations',
    'inbox_enrichments',
  ] as const
  for (let start = 0; start < subjectIds.length; start += chunkSize) {
    const chunk = subjectIds.slice(start, start + chunkSize)
    for (const table of tables) {
      const result = await trx
        .deleteFrom(table)
        .where('workspace_id', '=', workspaceId)
        .where('subject_id', 'in', chunk)
        .executeTakeFirst()
      counts[table] = (counts[table] ?? 0) + Number(result.numDeletedRows)
    }
  }
  return counts
}
