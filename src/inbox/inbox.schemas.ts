import { Type } from 'typebox'
import { component } from '../http/index.js'
import { findingKinds } from '../detection/index.js'
import { maxBodyLength } from './inbox.deps.js'

// Request and response schemas of the inbox API (validation, types, OpenAPI).

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()])
const Id = Type.String({ format: 'uuid' })
const State = Type.Union([Type.Literal('open'), Type.Literal('snoozed'), Type.Literal('resolved')])

export const VisitorHeaders = Type.Object({
  'x-visitor-token': Type.Optional(
    Type.String({
      maxLength: 400,
      description:
        'With the public key: the visitor token POST /v1/conversations gave this browser. Opens its own conversations only.',
    }),
  ),
})

export const StartConversationBody = Type.Object(
  {
    contactId: Type.Optional(Id),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)

const conversationFields = {
  id: Type.String(),
  state: State,
  snoozedUntil: Nullable(Type.String()),
  assigneeId: Nullable(Type.String()),
  contactId: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  lastMessageAt: Type.String(),
}

export const ConversationSchema = Type.Object(conversationFields, component('Conversation'))

export const StartedConversationSchema = Type.Object(
  {
    ...conversationFields,
    visitorToken: Type.Union([Type.String(), Type.Null()], {
      description:
        "For a visitor's conversation: the token its browser sends as x-visitor-token from now on",
    }),
  },
  component('StartedConversation'),
)

export const ListConversationsQuery = Type.Object(
  {
    state: Type.Optional(State),
    assigneeId: Type.Optional(Id),
    contactId: Type.Optional(Id),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
)

export const ConversationPageSchema = Type.Object(
  { data: Type.Array(ConversationSchema), nextCursor: Nullable(Type.String()) },
  component('ConversationPage'),
)

export const ChangeConversationBody = Type.Object(
  {
    state: Type.Optional(State),
    snoozedUntil: Type.Optional(Type.String({ format: 'date-time' })),
    assigneeId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
)

export const PostMessageBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: maxBodyLength }),
    from: Type.Union([Type.Literal('contact'), Type.Literal('operator')]),
    attachments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 255 }),
            type: Type.String({ minLength: 3, maxLength: 127, pattern: '^[\\w.+-]+/[\\w.+-]+$' }),
            content: Type.String({
              maxLength: 7_000_000,
              pattern: '^[A-Za-z0-9+/]*={0,2}$',
              description: 'The file, base64 (at most 5 MiB once decoded)',
            }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 5 },
      ),
    ),
  },
  { additionalProperties: false },
)

const FindingSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String({ description: findingKinds.join(', ') }),
    scheme: Nullable(Type.String()),
    start: Type.Integer({ description: 'Offset in the body as stored, in UTF-16 code units' }),
    end: Type.Integer(),
    confidence: Type.Number(),
    status: Type.Union([
      Type.Literal('flagged'),
      Type.Literal('unflagged'),
      Type.Literal('redacted'),
    ]),
  },
  component('Finding'),
)

const AttachmentSchema = Type.Object(
  { id: Type.String(), name: Type.String(), type: Type.String(), size: Type.Integer() },
  component('Attachment'),
)

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    conversationId: Type.String(),
    author: Type.Union([Type.Literal('contact'), Type.Literal('operator')]),
    operatorId: Nullable(Type.String()),
    body: Type.String(),
    createdAt: Type.String(),
    redactedAt: Nullable(Type.String()),
    attachments: Type.Array(AttachmentSchema),
    findings: Type.Optional(Type.Array(FindingSchema)),
  },
  component('Message'),
)

export const MessageListSchema = Type.Object(
  { data: Type.Array(MessageSchema) },
  component('MessageList'),
)

export const RedactBody = Type.Object(
  {
    findingIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
)

export const AttachmentFileSchema = Type.Object(
  { name: Type.String(), type: Type.String(), content: Type.String() },
  component('AttachmentFile'),
)

export const EnrichBody = Type.Object(
  { provider: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
)

export const EnrichmentListSchema = Type.Object(
  {
    data: Type.Array(
      Type.Object({
        field: Type.String(),
        value: Type.String(),
        source: Type.String(),
        lawfulBasis: Type.String(),
        resolvedAt: Type.String(),
      }),
    ),
  },
  component('EnrichmentList'),
)
