import { timingSafeEqual } from 'node:crypto'
import { findContactSubjectId } from '../contacts/index.js'
import { AppError } from '../errors.js'
import { isActiveOperator, type RequestContext } from '../identity/index.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import { subjectNamedOrNew } from '../subjects/index.js'
import type { InboxCaller } from './inbox-caller.js'
import type { InboxDeps } from './inbox.deps.js'
import {
  findConversation,
  hasVisitorConversation,
  insertConversation,
  listConversationRows,
  updateConversationRow,
} from './inbox.repository.js'
import type { ConversationState, InboxConversationsTable } from './inbox.table.js'
import { visitorTokenOf } from './visitor-token.js'

export interface ConversationView {
  id: string
  state: ConversationState
  snoozedUntil: string | null
  assigneeId: string | null
  contactId: string | null
  createdAt: string
  updatedAt: string
  lastMessageAt: string
}

export function conversationView(row: InboxConversationsTable): ConversationView {
  return {
    id: row.id,
    state: row.state,
    snoozedUntil: row.snoozed_until,
    assigneeId: row.assignee_id,
    contactId: row.contact_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastMessageAt: row.last_message_at,
  }
}

const notFound = () => new AppError('not_found', 'No such conversation')

/**
 * Starts a conversation with a contact (staff) or an anonymous visitor. The person is
 * the conversation's subject: a contact's own, or the one the anonymous id names (made
 * when the visitor is new), so everything in it is theirs for access and erasure. The
 * visitor's token comes back for a conversation with a visitor; with the public key only
 * for their first one (visitor-token.ts).
 */
export async function startConversation(
  deps: InboxDeps,
  caller: InboxCaller,
  input: { contactId?: string | undefined; anonymousId?: string | undefined },
  context: RequestContext = {},
): Promise<{ conversation: ConversationView; visitorToken: string | null }> {
  const { workspaceId } = caller
  if ((input.contactId === undefined) === (input.anonymousId === undefined)) {
    throw new AppError(
      'invalid_request',
      'Name the person by exactly one of contactId or anonymousId',
      {
        errors: [{ in: 'body', field: 'contactId', message: 'or anonymousId, one of them' }],
      },
    )
  }
  if (caller.kind === 'visitor' && input.anonymousId === undefined) {
    throw new AppError(
      'forbidden',
      'The public key may only start a conversation for its own anonymousId',
    )
  }
  const now = deps.clock.now()
  const id = newId(now)
  const indexer = await deps.keyring.indexerFor(workspaceId)
  const row = await inWriteTransaction(deps.db, async (trx) => {
    let subjectId: string
    let visitorIndex: Buffer | null = null
    if (input.contactId !== undefined) {
      const found = await findContactSubjectId({ db: trx }, workspaceId, input.contactId)
      if (found === undefined) throw new AppError('not_found', 'No such contact')
      subjectId = found
    } else {
      const anonymousId = input.anonymousId ?? ''
      visitorIndex = indexer.index('anonymous_id', anonymousId)
      if (caller.kind === 'visitor' && caller.anonymousId !== anonymousId) {
        // Without a token a visitor may only begin: once they have a conversation, the
        // anonymous id alone no longer opens anything.
        if (
          caller.anonymousId !== undefined ||
          (await hasVisitorConversation(trx, workspaceId, visitorIndex))
        ) {
          throw new AppError('forbidden', 'Send the visitor token this anonymousId was given')
        }
      }
      const named = await subjectNamedOrNew(trx, {
        workspaceId,
        identifier: { kind: 'anonymous_id', blindIndex: visitorIndex },
        candidateId: newId(now),
        now,
      })
      subjectId = named.subjectId
    }
    const inserted: InboxConversationsTable = {
      id,
      workspace_id: workspaceId,
      subject_id: subjectId,
      contact_id: input.contactId ?? null,
      visitor_index: visitorIndex,
      state: 'open',
      snoozed_until: null,
      assignee_id: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      last_message_at: now.toISOString(),
    }
    await insertConversation(trx, inserted)
    return inserted
  })
  await deps.audit.record({
    workspaceId,
    actor: caller.actor,
    action: 'inbox.conversation_started',
    outcome: 'succeeded',
    resource: { type: 'conversation', id },
    subjectId: row.subject_id,
    purpose: 'support',
    details: { via: input.contactId === undefined ? 'visitor' : 'contact' },
    ...context,
  })
  const visitorToken =
    input.anonymousId === undefined ? null : visitorTokenOf(indexer, input.anonymousId)
  return { conversation: conversationView(row), visitorToken }
}

/** The conversation, when the caller may see it: a visitor only their own (else not found). */
export async function conversationFor(
  deps: Pick<InboxDeps, 'db' | 'keyring'>,
  caller: InboxCaller,
  conversationId: string,
): Promise<InboxConversationsTable> {
  const row = await findConversation(deps.db, caller.workspaceId, conversationId)
  if (row === undefined) throw notFound()
  if (caller.kind === 'visitor') {
    if (caller.anonymousId === undefined || row.visitor_index === null) throw notFound()
    const index = await deps.keyring.blindIndex(
      caller.workspaceId,
      'anonymous_id',
      caller.anonymousId,
    )
    // In constant time: the caller chose the id whose digest is compared (Art. 32).
    if (index.length !== row.visitor_index.length || !timingSafeEqual(index, row.visitor_index)) {
      throw notFound()
    }
  }
  return row
}

export interface ConversationQuery {
  state?: ConversationState | undefined
  assigneeId?: string | undefined
  contactId?: string | undefined
  anonymousId?: string | undefined
  before?: string | undefined
  limit: number
}

/** A page of conversations, newest first, by state, assignee or person; a visitor's own only. */
export async function listConversations(
  deps: InboxDeps,
  caller: InboxCaller,
  query: ConversationQuery,
  context: RequestContext = {},
): Promise<{ conversations: ConversationView[]; more: boolean }> {
  const { workspaceId } = caller
  const anonymousId = caller.kind === 'visitor' ? caller.anonymousId : query.anonymousId
  if (caller.kind === 'visitor' && anonymousId === undefined) {
    throw new AppError('forbidden', 'Send the visitor token to list your conversations')
  }
  let subjectIds: string[] | undefined
  if (query.contactId !== undefined) {
    const subjectId = await findContactSubjectId(deps, workspaceId, query.contactId)
    subjectIds = subjectId === undefined ? [] : [subjectId]
  }
  const rows = await listConversationRows(
    deps.db,
    workspaceId,
    {
      ...(query.state === undefined ? {} : { state: query.state }),
      ...(query.assigneeId === undefined ? {} : { assigneeId: query.assigneeId }),
      ...(subjectIds === undefined ? {} : { subjectIds }),
      ...(anonymousId === undefined
        ? {}
        : {
            visitorIndex: await deps.keyring.blindIndex(workspaceId, 'anonymous_id', anonymousId),
          }),
    },
    { limit: query.limit + 1, ...(query.before === undefined ? {} : { before: query.before }) },
  )
  const shown = rows.slice(0, query.limit)
  if (shown.length > 0) {
    await deps.audit.record({
      workspaceId,
      actor: caller.actor,
      action: 'inbox.conversations_listed',
      outcome: 'succeeded',
      resource: { type: 'conversation' },
      purpose: 'support',
      details: { count: shown.length },
      ...context,
    })
  }
  return { conversations: shown.map(conversationView), more: rows.length > query.limit }
}

export interface ConversationChange {
  state?: ConversationState | undefined
  snoozedUntil?: string | undefined
  assigneeId?: string | null | undefined
}

/** Moves a conversation between open, snoozed and resolved, and (un)assigns it. Staff only. */
export async function changeConversation(
  deps: InboxDeps,
  caller: InboxCaller,
  conversationId: string,
  change: ConversationChange,
  context: RequestContext = {},
): Promise<ConversationView> {
  if (caller.kind !== 'staff')
    throw new AppError('forbidden', 'Only the workspace changes a conversation')
  const now = deps.clock.now()
  const fields = Object.keys(change).filter(
    (key) => change[key as keyof ConversationChange] !== undefined,
  )
  if (fields.length === 0)
    throw new AppError('invalid_request', 'Send state, snoozedUntil or assigneeId')
  if (
    change.state === 'snoozed' &&
    (change.snoozedUntil === undefined || new Date(change.snoozedUntil) <= now)
  ) {
    throw new AppError(
      'invalid_request',
      'A snoozed conversation needs snoozedUntil in the future',
      {
        errors: [
          {
            in: 'body',
            field: 'snoozedUntil',
            message: 'is required, after now, with state snoozed',
          },
        ],
      },
    )
  }
  if (change.snoozedUntil !== undefined && change.state !== 'snoozed') {
    throw new AppError('invalid_request', 'snoozedUntil goes with state snoozed', {
      errors: [{ in: 'body', field: 'snoozedUntil', message: 'only with state snoozed' }],
    })
  }
  const row = await inWriteTransaction(deps.db, async (trx) => {
    const current = await conversationFor({ ...deps, db: trx }, caller, conversationId)
    if (
      typeof change.assigneeId === 'string' &&
      !(await isActiveOperator(trx, caller.workspaceId, change.assigneeId))
    ) {
      // Same answer for an unknown id, another workspace's operator and a disabled one:
      // the problem names the field, never the id sent (or whether it exists elsewhere).
      throw new AppError('invalid_request', 'The assignee must be an operator of this workspace', {
        errors: [
          {
            in: 'body',
            field: 'assigneeId',
            message: 'is not an active operator of this workspace',
          },
        ],
      })
    }
    const changes = {
      ...(change.state === undefined
        ? {}
        : {
            state: change.state,
            snoozed_until: change.state === 'snoozed' ? (change.snoozedUntil ?? null) : null,
          }),
      ...(change.assigneeId === undefined ? {} : { assignee_id: change.assigneeId }),
      updated_at: now.toISOString(),
    }
    await updateConversationRow(trx, caller.workspaceId, conversationId, changes)
    return { ...current, ...changes }
  })
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'inbox.conversation_changed',
    outcome: 'succeeded',
    resource: { type: 'conversation', id: conversationId },
    subjectId: row.subject_id,
    purpose: 'support',
    details: { fields: fields.join(','), state: row.state },
    ...context,
  })
  return conversationView(row)
}
