import type { Keyring } from '../crypto/index.js'
import type {
  BlindIdentifier,
  PersonalDataSource,
  PersonalTable,
  ResolvedSubject,
} from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import {
  deleteInboxRowsOfSubjects,
  findAttachment,
  selectAttachmentsOf,
  selectConversationsOfPerson,
  selectEnrichmentsOf,
  selectFindingsOf,
  selectMessagesOf,
} from './inbox.repository.js'
import { attachmentCell, bodyCell, findingView } from './messages.view.js'
import { enrichmentCell } from './enrichment/enrich-person.js'
import { closedConversationsRetention } from './retention.js'

const erasedWithThePerson = 'erased with the person'

/** The inbox's personal data: one source for conversations, messages, files, findings, enrichment. */
export const inboxTables: readonly PersonalTable[] = [
  {
    name: 'inbox_conversations',
    categories: ['conversations', 'identifiers'],
    otherBinary: { visitor_index: 'a keyed blind index (HMAC) of the visitor’s anonymous id' },
    retention: `the workspace's conversation retention (retentionDays.conversations); ${erasedWithThePerson}`,
  },
  {
    name: 'inbox_messages',
    categories: ['conversations'],
    // Under the body's own key holder while a finding may still be redacted, else the
    // person's subject (see redact-message.ts).
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'body_key_id',
      columns: ['body'],
    },
    retention: `as its conversation; a redacted original at once (its key destroyed); ${erasedWithThePerson}`,
  },
  {
    name: 'inbox_attachments',
    categories: ['conversations'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'subject_id',
      columns: ['meta', 'content'],
    },
    retention: `as its conversation; ${erasedWithThePerson}`,
  },
  {
    name: 'inbox_findings',
    categories: ['conversations'],
    retention: `as its message; ${erasedWithThePerson}`,
  },
  {
    name: 'inbox_enrichments',
    categories: ['contact-profile'],
    sealed: {
      idColumn: 'id',
      workspaceColumn: 'workspace_id',
      subjectColumn: 'subject_id',
      columns: ['value'],
    },
    retention: `as long as the workspace keeps the person's profile; ${erasedWithThePerson}`,
  },
]

/**
 * Finds the person's conversations by their subjects (every key holder the walk knows)
 * and by their visitor id, and reports as key holders the subjects and every message
 * body's own key holder, so the erasure walk destroys those keys with the others.
 */
export function inboxPersonalData(deps: { db: Database; keyring: Keyring }): PersonalDataSource {
  const holdingsOf = async (db: Database, subject: ResolvedSubject) => {
    const { workspaceId } = subject
    const conversations = await selectConversationsOfPerson(db, workspaceId, {
      subjectIds: subject.keyHolders,
      visitorIndexes: subject.identifiers
        .filter((identifier) => identifier.kind === 'anonymous_id')
        .map((identifier) => identifier.blindIndex),
    })
    const subjectIds = [
      ...new Set([...subject.keyHolders, ...conversations.map((row) => row.subject_id)]),
    ]
    const messages = await selectMessagesOf(
      db,
      workspaceId,
      conversations.map((row) => row.id),
    )
    const messageIds = messages.map((row) => row.id)
    const [findings, attachments, enrichments] = await Promise.all([
      selectFindingsOf(db, workspaceId, messageIds),
      selectAttachmentsOf(db, workspaceId, messageIds),
      selectEnrichmentsOf(db, workspaceId, subjectIds),
    ])
    return { conversations, messages, findings, attachments, enrichments }
  }
  return {
    module: 'inbox',
    tables: inboxTables,
    async locate(subject) {
      const found = await holdingsOf(deps.db, subject)
      return {
        rows: {
          inbox_conversations: found.conversations.length,
          inbox_messages: found.messages.length,
          inbox_attachments: found.attachments.length,
          inbox_findings: found.findings.length,
          inbox_enrichments: found.enrichments.length,
        },
        keyHolders: [
          ...new Set([
            ...found.conversations.map((row) => row.subject_id),
            ...found.messages.map((row) => row.body_key_id),
            ...found.enrichments.map((row) => row.subject_id),
          ]),
        ],
        identifiers: found.conversations.flatMap((row): BlindIdentifier[] =>
          row.visitor_index === null
            ? []
            : [{ kind: 'anonymous_id', blindIndex: row.visitor_index }],
        ),
      }
    },
    async exportTo(subject, writer) {
      const found = await holdingsOf(deps.db, subject)
      const holders = [
        ...new Set([
          ...found.messages.flatMap((row) => [row.body_key_id, row.subject_id]),
          ...found.enrichments.map((row) => row.subject_id),
        ]),
      ]
      const sealers = await deps.keyring.sealersFor(subject.workspaceId, holders, { create: false })
      for (const row of found.conversations) {
        await writer.add('inbox', 'conversations', {
          id: row.id,
          state: row.state,
          createdAt: row.created_at,
          lastMessageAt: row.last_message_at,
        })
      }
      for (const row of found.messages) {
        const body = sealers.get(row.body_key_id)?.openText(bodyCell(row.id), row.body) ?? null
        await writer.add('inbox', 'messages', {
          id: row.id,
          conversationId: row.conversation_id,
          author: row.author,
          body,
          createdAt: row.created_at,
          redactedAt: row.redacted_at,
        })
      }
      for (const row of found.findings) {
        await writer.add('inbox', 'findings', { messageId: row.message_id, ...findingView(row) })
      }
      for (const row of found.attachments) {
        // The file itself too (Art. 20: in a form the person can take elsewhere), base64.
        const file = await findAttachment(deps.db, subject.workspaceId, row.id)
        const sealer = sealers.get(row.subject_id)
        const content =
          file === undefined
            ? undefined
            : sealer?.open(attachmentCell(row.id, 'content'), file.content)
        await writer.add('inbox', 'attachments', {
          id: row.id,
          messageId: row.message_id,
          meta: sealer?.openJson(attachmentCell(row.id, 'meta'), row.meta) ?? null,
          size: row.size_bytes,
          content: content?.toString('base64') ?? null,
        })
      }
      for (const row of found.enrichments) {
        const value =
          sealers.get(row.subject_id)?.openText(enrichmentCell(row.id), row.value) ?? null
        await writer.add('inbox', 'enrichment', {
          field: row.field,
          value,
          source: row.source,
          lawfulBasis: row.lawful_basis,
          resolvedAt: row.resolved_at,
        })
      }
    },
    async erase(trx, subject) {
      // By the key holders alone, as a resumed erasure has them: every row of the person.
      const rows = await deleteInboxRowsOfSubjects(trx, subject.workspaceId, subject.keyHolders)
      return { outcome: 'erased', rows }
    },
    retention: [closedConversationsRetention(deps)],
  }
}
