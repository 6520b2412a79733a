import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { conversationFor } from './conversations.service.js'
import { detectSensitiveData, type Finding } from '../detection/index.js'
import type { InboxCaller } from './inbox-caller.js'
import { type InboxDeps, maxAttachmentBytes } from './inbox.deps.js'
import {
  insertAttachments,
  insertFindings,
  insertMessage,
  updateConversationRow,
} from './inbox.repository.js'
import { inboxSettings } from './inbox.settings.js'
import type {
  FindingStatus,
  InboxAttachmentsTable,
  InboxFindingsTable,
  MessageAuthor,
} from './inbox.table.js'
import {
  attachmentCell,
  bodyCell,
  findingView,
  type MessageView,
  messageView,
} from './messages.view.js'
import { redactSpans } from '../detection/index.js'

export interface AttachmentInput {
  name: string
  type: string
  /** The file, base64. */
  content: string
}

export interface MessageInput {
  conversationId: string
  body: string
  from: MessageAuthor
  attachments?: readonly AttachmentInput[] | undefined
}

/**
 * Writes a message. Its body is scanned before it is sealed (detect.logic.ts, the code
 * `custodian detect` runs); in an end-user's message the kinds the workspace redacts
 * automatically (cards and IBANs by default) are replaced at once, so their values are
 * never stored. The other findings are stored with the message, flagged from the
 * workspace's threshold, and the body is sealed under a key holder of its own while it
 * holds one that may still be redacted (see redact-message.ts); otherwise under the
 * person's subject.
 */
export async function postMessage(
  deps: InboxDeps,
  caller: InboxCaller,
  input: MessageInput,
  context: RequestContext = {},
): Promise<MessageView> {
  const { workspaceId } = caller
  if (caller.kind === 'visitor' && input.from !== 'contact') {
    throw new AppError('forbidden', 'A visitor writes as the contact')
  }
  const operatorId =
    input.from === 'operator' && caller.actor.actorType === 'operator' ? caller.actor.actorId : null
  const files = (input.attachments ?? []).map(decodeAttachment)
  const workspace = await getWorkspace(deps.db, workspaceId)
  const { inbox } = inboxSettings.read(workspace.settings)
  const detected = (deps.detect ?? detectSensitiveData)(input.body)
  const automatic = new Set<Finding>(
    input.from === 'contact'
      ? detected.filter(
          (finding) =>
            inbox.autoRedact[finding.kind] && finding.confidence >= inbox.detectionThreshold,
        )
      : [],
  )
  const { text, spans } = redactSpans(input.body, detected, automatic)
  const now = deps.clock.now()
  const at = now.toISOString()
  const id = newId(now)
  const statusOf = (span: (typeof spans)[number]): FindingStatus =>
    span.redacted
      ? 'redacted'
      : span.confidence >= inbox.detectionThreshold
        ? 'flagged'
        : 'unflagged'
  const { row, findings, attachments } = await inWriteTransaction(deps.db, async (trx) => {
    const conversation = await conversationFor({ ...deps, db: trx }, caller, input.conversationId)
    const subjectId = conversation.subject_id
    const redactable = spans.some((span) => !span.redacted)
    const bodyKeyId = redactable ? id : subjectId
    const sealers = await deps.keyring.sealersFor(
      workspaceId,
      [...new Set([bodyKeyId, subjectId])],
      { db: trx },
    )
    const bodySealer = sealers.get(bodyKeyId)
    const personSealer = sealers.get(subjectId)
    if (bodySealer === undefined || personSealer === undefined) {
      throw new AppError('subject_erased', 'The person of this conversation was erased')
    }
    const message = {
      id,
      workspace_id: workspaceId,
      conversation_id: conversation.id,
      subject_id: subjectId,
      body_key_id: bodyKeyId,
      author: input.from,
      operator_id: operatorId,
      body: bodySealer.seal(bodyCell(id), text),
      created_at: at,
      redacted_at: automatic.size > 0 ? at : null,
    }
    const findingRows: InboxFindingsTable[] = spans.map((span) => ({
      id: newId(now),
      workspace_id: workspaceId,
      message_id: id,
      subject_id: subjectId,
      kind: span.kind,
      scheme: span.scheme ?? null,
      start_offset: span.start,
      end_offset: span.end,
      confidence: Math.round(span.confidence * 100),
      status: statusOf(span),
      created_at: at,
      redacted_at: span.redacted ? at : null,
    }))
    const attachmentRows: InboxAttachmentsTable[] = files.map((file) => {
      const attachmentId = newId(now)
      return {
        id: attachmentId,
        workspace_id: workspaceId,
        message_id: id,
        subject_id: subjectId,
        meta: personSealer.sealJson(attachmentCell(attachmentId, 'meta'), {
          name: file.name,
          type: file.type,
        }),
        content: personSealer.seal(attachmentCell(attachmentId, 'content'), file.bytes),
        size_bytes: file.bytes.length,
        created_at: at,
      }
    })
    await insertMessage(trx, message)
    await insertFindings(trx, findingRows)
    await insertAttachments(trx, attachmentRows)
    await updateConversationRow(trx, workspaceId, conversation.id, {
      last_message_at: at,
      updated_at: at,
      // An end-user writing again brings a snoozed or resolved conversation back.
      ...(input.from === 'contact' && conversation.state !== 'open'
        ? { state: 'open', snoozed_until: null }
        : {}),
    })
    return { row: message, findings: findingRows, attachments: attachmentRows }
  })
  await auditPosted(
    deps,
    caller,
    input.from,
    row.subject_id,
    id,
    findings,
    attachments.length,
    context,
  )
  return messageView(
    row,
    text,
    files.map((file, index) => ({
      id: attachments[index]?.id ?? '',
      name: file.name,
      type: file.type,
      size: file.bytes.length,
    })),
    caller.kind === 'staff' ? findings.map(findingView) : undefined,
  )
}

function decodeAttachment(input: AttachmentInput): { name: string; type: string; bytes: Buffer } {
  const bytes = Buffer.from(input.content, 'base64')
  if (bytes.length > maxAttachmentBytes) {
    throw new AppError(
      'payload_too_large',
      `An attachment holds at most ${maxAttachmentBytes} bytes`,
    )
  }
  return { name: input.name, type: input.type, bytes }
}

async function auditPosted(
  deps: InboxDeps,
  caller: InboxCaller,
  author: MessageAuthor,
  subjectId: string,
  messageId: string,
  findings: readonly InboxFindingsTable[],
  attachments: number,
  context: RequestContext,
): Promise<void> {
  const kindsOf = (rows: readonly InboxFindingsTable[]) =>
    [...new Set(rows.map((row) => row.kind))].sort().join(',')
  const common = {
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    resource: { type: 'message', id: messageId },
    subjectId,
    purpose: 'support',
    outcome: 'succeeded' as const,
    ...context,
  }
  const redacted = findings.filter((row) => row.status === 'redacted')
  await deps.audit.recordMany([
    {
      ...common,
      action: 'inbox.message_posted',
      details: {
        author,
        findings: findings.length,
        flagged: findings.filter((row) => row.status === 'flagged').length,
        kinds: kindsOf(findings),
        attachments,
      },
    },
    ...(redacted.length === 0
      ? []
      : [
          {
            ...common,
            action: 'inbox.message_redacted' as const,
            details: { kinds: kindsOf(redacted), count: redacted.length, automatic: true },
          },
        ]),
  ])
}
