import { AppError } from '../errors.js'
import type { RequestContext } from '../identity/index.js'
import { newId } from '../ids.js'
import { inErasingTransaction } from '../storage/index.js'
import { conversationFor } from './conversations.service.js'
import type { InboxCaller } from './inbox-caller.js'
import type { InboxDeps } from './inbox.deps.js'
import {
  findMessage,
  selectAttachmentsOf,
  selectFindingsOf,
  updateFinding,
  updateMessageBody,
} from './inbox.repository.js'
import type { InboxFindingsTable } from './inbox.table.js'
import {
  attachmentView,
  bodyCell,
  findingView,
  type MessageView,
  messageView,
} from './messages.view.js'
import { redactSpans } from '../detection/index.js'

/**
 * Redacts findings of a message in place: the body keeps `[redacted: card]` where the
 * value was, and the original is shredded, not only overwritten.
 *
 * Why a key of its own: a message body is sealed under a key holder, and destroying
 * that holder's key is what makes every copy of the sealed original unreadable at once
 * (the database's free pages, its WAL, a replica, last night's backup). The person's
 * subject key also seals their profile, consents and events, so it cannot be destroyed
 * for one message. A body that holds a finding is therefore sealed under a key holder
 * of its own (first the message id, then a fresh id per redaction); redacting it seals
 * the redacted text under a new holder (or the person's subject, when no finding is
 * left to redact) and destroys the old holder's key in the same transaction. The
 * registry walk reports these holders as the person's, so erasing the person destroys
 * them with everything else. On SQLite the transaction also zeroes the freed bytes and
 * truncates the WAL (`inErasingTransaction`).
 *
 * On PostgreSQL nothing is zeroed (MVCC; overwriting before the delete would only add
 * another dead version): the sealed original stays in a dead tuple of `inbox_messages`,
 * and the destroyed key, still wrapped under the workspace key, in one of
 * `subject_keys`, and both in WAL segments until they are recycled. No query reads a
 * dead tuple, and the original opens under no key the instance holds
 * (redaction-residue.test.ts); only someone holding both the raw data files and the
 * master key could unwrap the key from its dead tuple until that space is reused. The
 * `inbox-reclaim-shredded` job (inbox.jobs.ts) vacuums both tables every quarter hour so
 * the space is reused soon; it does not zero it. Where that residual risk matters,
 * rotating the workspace key (`keys rotate`) and then the master key, destroying the old
 * one, leaves every such dead tuple under a key that no longer exists anywhere.
 */
export async function redactMessage(
  deps: InboxDeps,
  caller: InboxCaller,
  input: { messageId: string; findingIds?: readonly string[] | undefined },
  context: RequestContext = {},
): Promise<MessageView> {
  if (caller.kind !== 'staff')
    throw new AppError('forbidden', 'Only the workspace redacts a message')
  const { workspaceId } = caller
  const now = deps.clock.now()
  const at = now.toISOString()
  const { message, body, findings, redacted } = await inErasingTransaction(deps.db, async (trx) => {
    const row = await findMessage(trx, workspaceId, input.messageId)
    if (row === undefined) throw new AppError('not_found', 'No such message')
    await conversationFor({ ...deps, db: trx }, caller, row.conversation_id)
    const all = await selectFindingsOf(trx, workspaceId, [row.id])
    const chosen = choose(all, input.findingIds)
    const oldSealer = await deps.keyring.sealerFor(workspaceId, row.body_key_id, {
      db: trx,
      create: false,
    })
    const original = oldSealer.openText(bodyCell(row.id), row.body)
    const { text, spans } = redactWith(original, all, chosen)
    const stillRedactable = spans.some((span) => span.status !== 'redacted' && !span.redacted)
    const bodyKeyId = stillRedactable ? newId(now) : row.subject_id
    const newSealer = await deps.keyring.sealerFor(workspaceId, bodyKeyId, { db: trx })
    const changes = {
      body: newSealer.seal(bodyCell(row.id), text),
      body_key_id: bodyKeyId,
      redacted_at: at,
    }
    await updateMessageBody(trx, workspaceId, row.id, changes)
    const updated: InboxFindingsTable[] = []
    for (const span of spans) {
      const status = span.redacted ? 'redacted' : span.status
      const next = {
        start_offset: span.start,
        end_offset: span.end,
        status,
        redacted_at: span.redacted ? at : span.redacted_at,
      }
      await updateFinding(trx, workspaceId, span.id, next)
      updated.push({ ...span, ...next })
    }
    // The original's key goes in the same transaction: never the subject's own key.
    if (row.body_key_id !== row.subject_id)
      await deps.keyring.shredSubject(workspaceId, row.body_key_id, { db: trx })
    return { message: { ...row, ...changes }, body: text, findings: updated, redacted: chosen }
  })
  await deps.audit.record({
    workspaceId,
    actor: caller.actor,
    action: 'inbox.message_redacted',
    outcome: 'succeeded',
    resource: { type: 'message', id: message.id },
    subjectId: message.subject_id,
    purpose: 'support',
    details: {
      kinds: [...new Set(redacted.map((finding) => finding.kind))].sort().join(','),
      count: redacted.length,
      automatic: false,
    },
    ...context,
  })
  const attachments = await selectAttachmentsOf(deps.db, workspaceId, [message.id])
  const person =
    attachments.length === 0
      ? undefined
      : await deps.keyring.sealerFor(workspaceId, message.subject_id, { create: false })
  return messageView(
    message,
    body,
    attachments.flatMap((item) => (person === undefined ? [] : [attachmentView(item, person)])),
    findings.map(findingView),
  )
}

/** The findings to redact: those named, else every flagged one; none left is a conflict. */
function choose(
  all: readonly InboxFindingsTable[],
  named: readonly string[] | undefined,
): InboxFindingsTable[] {
  const open = all.filter((finding) => finding.status !== 'redacted')
  const chosen =
    named === undefined
      ? open.filter((finding) => finding.status === 'flagged')
      : named.map((id) => {
          const finding = open.find((item) => item.id === id)
          if (finding === undefined)
            throw new AppError('not_found', 'No such finding left to redact in this message')
          return finding
        })
  if (chosen.length === 0)
    throw new AppError('conflict', 'Nothing in this message is left to redact')
  return chosen
}

function redactWith(
  text: string,
  all: readonly InboxFindingsTable[],
  chosen: readonly InboxFindingsTable[],
) {
  const spans = all.map((finding) => ({
    ...finding,
    start: finding.start_offset,
    end: finding.end_offset,
  }))
  const picked = new Set(spans.filter((span) => chosen.some((finding) => finding.id === span.id)))
  return redactSpans(text, spans, picked)
}
