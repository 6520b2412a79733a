import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import { conversationFor } from './conversations.service.js'
import type { InboxCaller } from './inbox-caller.js'
import type { InboxDeps } from './inbox.deps.js'
import {
  findAttachment,
  findMessage,
  selectAttachmentsOf,
  selectFindingsOf,
  selectMessagesOf,
} from './inbox.repository.js'
import {
  attachmentCell,
  attachmentView,
  bodyCell,
  findingView,
  type MessageView,
  messageView,
} from './messages.view.js'

/**
 * A conversation's messages, opened, oldest first, with their attachments' names and,
 * for staff, their findings. Opening bodies is a read of personal data: audited once per
 * call with the count.
 */
export async function readMessages(
  deps: InboxDeps,
  caller: InboxCaller,
  conversationId: string,
  context: RequestContext = {},
): Promise<MessageView[]> {
  const { workspaceId } = caller
  const conversation = await conversationFor(deps, caller, conversationId)
  const rows = await selectMessagesOf(deps.db, workspaceId, [conversation.id])
  const ids = rows.map((row) => row.id)
  const [findings, attachments] = await Promise.all([
    caller.kind === 'staff' ? selectFindingsOf(deps.db, workspaceId, ids) : Promise.resolve([]),
    selectAttachmentsOf(deps.db, workspaceId, ids),
  ])
  const keyHolders = [...new Set([conversation.subject_id, ...rows.map((row) => row.body_key_id)])]
  const sealers = await deps.keyring.sealersFor(workspaceId, keyHolders, { create: false })
  const sealerOf = (keyHolder: string) => {
    const sealer = sealers.get(keyHolder)
    if (sealer === undefined)
      throw new AppError('subject_erased', 'The person of this conversation was erased')
    return sealer
  }
  const person = sealerOf(conversation.subject_id)
  const views = rows.map((row) =>
    messageView(
      row,
      sealerOf(row.body_key_id).openText(bodyCell(row.id), row.body),
      attachments
        .filter((item) => item.message_id === row.id)
        .map((item) => attachmentView(item, person)),
      caller.kind === 'staff'
        ? findings.filter((item) => item.message_id === row.id).map(findingView)
        : undefined,
    ),
  )
  if (views.length > 0) {
    await deps.audit.record({
      workspaceId,
      actor: caller.actor,
      action: 'inbox.messages_read',
      outcome: 'succeeded',
      resource: { type: 'conversation', id: conversation.id },
      subjectId: conversation.subject_id,
      purpose: 'support',
      details: { count: views.length },
      ...context,
    })
  }
  return views
}

/** One attachment's file, opened (audited), for staff or the visitor whose conversation it is in. */
export async function readAttachment(
  deps: InboxDeps,
  caller: InboxCaller,
  attachmentId: string,
  context: RequestContext = {},
): Promise<{ name: string; type: string; content: Buffer }> {
  const { workspaceId } = caller
  const row = await findAttachment(deps.db, workspaceId, attachmentId)
  if (row === undefined) throw new AppError('not_found', 'No such attachment')
  const message = await findMessage(deps.db, workspaceId, row.message_id)
  if (message === undefined) throw new AppError('not_found', 'No such attachment')
  await conversationFor(deps, caller, message.conversation_id).catch(() => {
    throw new AppError('not_found', 'No such attachment')
  })
  const sealer = await deps.keyring.sealerFor(workspaceId, row.subject_id, { create: false })
  const view = attachmentView(row, sealer)
  const content = sealer.open(attachmentCell(row.id, 'content'), row.content)
  await deps.audit.record({
    workspaceId,
    actor: caller.actor,
    action: 'inbox.attachment_read',
    outcome: 'succeeded',
    resource: { type: 'attachment', id: row.id },
    subjectId: row.subject_id,
    purpose: 'support',
    details: { size: row.size_bytes },
    ...context,
  })
  return { name: view.name, type: view.type, content }
}
