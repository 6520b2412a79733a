import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { actorOf, IdParams, principalOf, requestContext, requires } from '../identity/index.js'
import { isId } from '../ids.js'
import {
  changeConversation,
  listConversations,
  startConversation,
} from './conversations.service.js'
import { enrichConversationPerson } from './enrichment/enrich-person.js'
import { readEnrichment } from './enrichment/read-enrichment.js'
import type { InboxCaller } from './inbox-caller.js'
import type { InboxDeps } from './inbox.deps.js'
import {
  AttachmentFileSchema,
  ChangeConversationBody,
  ConversationPageSchema,
  ConversationSchema,
  EnrichBody,
  EnrichmentListSchema,
  ListConversationsQuery,
  MessageListSchema,
  MessageSchema,
  PostMessageBody,
  RedactBody,
  StartConversationBody,
  StartedConversationSchema,
  VisitorHeaders,
} from './inbox.schemas.js'
import { conversationFor, conversationView } from './conversations.service.js'
import { postMessage } from './post-message.js'
import { readAttachment, readMessages } from './read-messages.js'
import { redactMessage } from './redact-message.js'
import { visitorOfToken } from './visitor-token.js'

const tags = ['inbox']
// The SDK's public key reaches a visitor's own conversations (with its visitor token).
const visitorMayRead = { access: requires('personal-data:read', { publicKey: true }) }
const visitorMayWrite = { access: requires('personal-data:write', { publicKey: true }) }
const staffWrites = { access: requires('personal-data:write') }

/** Staff for operators and the secret key; a visitor, with their token's anonymous id, for the public key. */
async function callerOf(deps: InboxDeps, request: FastifyRequest): Promise<InboxCaller> {
  const principal = principalOf(request)
  const base = { workspaceId: principal.workspaceId, actor: actorOf(principal) }
  if (principal.kind !== 'public-key') return { kind: 'staff', ...base }
  const token = request.headers['x-visitor-token']
  if (typeof token !== 'string') return { kind: 'visitor', ...base, actor: endUser }
  const anonymousId = visitorOfToken(await deps.keyring.indexerFor(principal.workspaceId), token)
  if (anonymousId === undefined) throw new AppError('forbidden', 'The visitor token is not valid')
  return { kind: 'visitor', ...base, actor: endUser, anonymousId }
}

// A visitor acts for themself; the key that let them in is the workspace's, not theirs.
const endUser = Object.freeze({ actorType: 'end-user' as const, actorId: null })

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!isId(id)) throw new AppError('invalid_request', 'The cursor is not one this API gave out')
  return id
}

/** Conversations, messages, redaction and enrichment: `/v1/conversations*`, `/v1/messages*`. */
export function registerInboxRoutes(app: App, deps: InboxDeps): void {
  app.post(
    '/v1/conversations',
    {
      config: visitorMayWrite,
      schema: {
        tags,
        summary: 'Start a conversation with a contact, or as a visitor (public key)',
        description:
          'Name the person by contactId (secret key or operator) or anonymousId. A visitor gets its token in `visitorToken` with its first conversation and sends it as `x-visitor-token` from then on.',
        headers: VisitorHeaders,
        body: StartConversationBody,
        response: { 201: StartedConversationSchema },
      },
    },
    async (request, reply) => {
      const started = await startConversation(
        deps,
        await callerOf(deps, request),
        request.body,
        requestContext(request),
      )
      const { conversation, visitorToken } = started
      return reply
        .code(201)
        .header('location', `/v1/conversations/${conversation.id}`)
        .send({ ...conversation, visitorToken })
    },
  )

  app.get(
    '/v1/conversations',
    {
      config: visitorMayRead,
      schema: {
        tags,
        summary: 'List conversations, newest first, by state, assignee or person',
        description: 'With the public key, the visitor’s own (their x-visitor-token is needed).',
        headers: VisitorHeaders,
        querystring: ListConversationsQuery,
        response: { 200: ConversationPageSchema },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request)
      if (caller.kind === 'visitor' && caller.anonymousId === undefined) {
        throw new AppError('invalid_request', 'Send the visitor token to list your conversations', {
          errors: [
            { in: 'headers', field: 'x-visitor-token', message: 'is required with the public key' },
          ],
        })
      }
      const { limit = 50, cursor, ...filter } = request.query
      const page = await listConversations(
        deps,
        caller,
        { ...filter, limit, before: decodeCursor(cursor) },
        requestContext(request),
      )
      const last = page.conversations.at(-1)
      return {
        data: page.conversations,
        nextCursor: page.more && last ? Buffer.from(last.id).toString('base64url') : null,
      }
    },
  )

  app.get(
    '/v1/conversations/:id',
    {
      config: visitorMayRead,
      schema: {
        tags,
        summary: 'One conversation: state, assignee, times',
        headers: VisitorHeaders,
        params: IdParams,
        response: { 200: ConversationSchema },
      },
    },
    async (request) =>
      conversationView(
        await conversationFor(deps, await callerOf(deps, request), request.params.id),
      ),
  )

  app.patch(
    '/v1/conversations/:id',
    {
      config: staffWrites,
      schema: {
        tags,
        summary: 'Open, snooze or resolve a conversation, or (un)assign it to an operator',
        params: IdParams,
        body: ChangeConversationBody,
        response: { 200: ConversationSchema },
      },
    },
    async (request) =>
      changeConversation(
        deps,
        await callerOf(deps, request),
        request.params.id,
        request.body,
        requestContext(request),
      ),
  )

  app.post(
    '/v1/conversations/:id/messages',
    {
      config: visitorMayWrite,
      schema: {
        tags,
        summary: 'Write a message; sensitive data in it is found, flagged or redacted on write',
        description:
          'An end-user’s cards and IBANs are redacted as they arrive (workspace settings, inbox.autoRedact); staff see every finding with its kind, place and confidence, never its value.',
        headers: VisitorHeaders,
        params: IdParams,
        body: PostMessageBody,
        response: { 201: MessageSchema },
      },
    },
    async (request, reply) => {
      const message = await postMessage(
        deps,
        await callerOf(deps, request),
        { conversationId: request.params.id, ...request.body },
        requestContext(request),
      )
      return reply.code(201).send(message)
    },
  )

  app.get(
    '/v1/conversations/:id/messages',
    {
      config: visitorMayRead,
      schema: {
        tags,
        summary: "A conversation's messages, oldest first (audited)",
        headers: VisitorHeaders,
        params: IdParams,
        response: { 200: MessageListSchema },
      },
    },
    async (request) => ({
      data: await readMessages(
        deps,
        await callerOf(deps, request),
        request.params.id,
        requestContext(request),
      ),
    }),
  )

  app.post(
    '/v1/messages/:id/redactions',
    {
      config: staffWrites,
      schema: {
        tags,
        summary: 'Redact findings of a message in place; the original is shredded (audited)',
        description:
          'Redacts the findings named, or every flagged one. The body keeps `[redacted: <kind>]` and the original’s key is destroyed.',
        params: IdParams,
        body: RedactBody,
        response: { 200: MessageSchema },
      },
    },
    async (request) =>
      redactMessage(
        deps,
        await callerOf(deps, request),
        { messageId: request.params.id, findingIds: request.body.findingIds },
        requestContext(request),
      ),
  )

  app.get(
    '/v1/attachments/:id',
    {
      config: visitorMayRead,
      schema: {
        tags,
        summary: "An attachment's file, base64 (audited)",
        headers: VisitorHeaders,
        params: IdParams,
        response: { 200: AttachmentFileSchema },
      },
    },
    async (request) => {
      const file = await readAttachment(
        deps,
        await callerOf(deps, request),
        request.params.id,
        requestContext(request),
      )
      return { name: file.name, type: file.type, content: file.content.toString('base64') }
    },
  )

  app.get(
    '/v1/conversations/:id/enrichment',
    {
      config: { access: requires('personal-data:read') },
      schema: {
        tags,
        summary: "The enriched profile of the conversation's person, with provenance",
        description:
          'Every field enrichment stored about the person, oldest first, each with its source, the time it was resolved and the lawful basis it was collected under. The read is audited.',
        params: IdParams,
        response: { 200: EnrichmentListSchema },
      },
    },
    async (request) => ({
      data: await readEnrichment(
        deps,
        await callerOf(deps, request),
        request.params.id,
        requestContext(request),
      ),
    }),
  )

  app.post(
    '/v1/conversations/:id/enrichment',
    {
      config: staffWrites,
      schema: {
        tags,
        summary: "Resolve the contact's public profile with an enrichment provider (consent first)",
        description:
          'Asks the consent ledger for the enrichment purpose first: no consent, an objection, a restriction or the automated-decision opt-out stop it (403 consent_denied, audited). Each field found keeps its source, time and lawful basis.',
        params: IdParams,
        body: EnrichBody,
        response: { 200: EnrichmentListSchema },
      },
    },
    async (request) => ({
      data: await enrichConversationPerson(
        deps,
        await callerOf(deps, request),
        { conversationId: request.params.id, provider: request.body.provider },
        requestContext(request),
      ),
    }),
  )
}
