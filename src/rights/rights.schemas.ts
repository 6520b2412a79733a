import { Type } from 'typebox'
import { component, EmailSchema } from '../http/index.js'
import { holdBases } from './legal-holds.service.js'
import {
  rejectionArticles,
  requestChannels,
  requestStatuses,
  requestTypes,
} from './request-states.logic.js'

// Request and response schemas of the rights API (validation, types, OpenAPI).

const Reason = Type.String({ minLength: 1, maxLength: 2000 })

export const SubjectSchema = Type.Union(
  [
    Type.Object({ email: EmailSchema }, { additionalProperties: false }),
    Type.Object(
      { externalId: Type.String({ minLength: 1, maxLength: 200 }) },
      { additionalProperties: false },
    ),
  ],
  { description: 'The person, by exactly one identifier: email or externalId' },
)

const AttributeValue = Type.Union([
  Type.String({ maxLength: 2000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
])

const DetailsSchema = Type.Object(
  {
    message: Type.Optional(Type.String({ maxLength: 5000, description: "The person's own words" })),
    changes: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(
            Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Null()]),
          ),
          email: Type.Optional(Type.Union([EmailSchema, Type.Null()])),
          attributes: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), AttributeValue, {
              maxProperties: 100,
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'Rectification: the profile fields to correct',
        },
      ),
    ),
    purposes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 50,
        description: 'Objection: the purposes objected to (none: every purpose it can reach)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const FileRequestBody = Type.Object(
  {
    type: Type.Enum(requestTypes, { description: 'The right exercised' }),
    subject: SubjectSchema,
    details: Type.Optional(DetailsSchema),
    receivedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the request really arrived (post, mail); never in the future',
      }),
    ),
    channel: Type.Optional(Type.Enum(requestChannels, { description: 'How the request arrived' })),
    verification: Type.Optional(
      Type.Object(
        { reason: Reason },
        {
          additionalProperties: false,
          description:
            'The filer already confirmed the identity, and how (not with the public key)',
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const FiledSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    status: Type.String(),
    receivedAt: Type.String(),
    dueAt: Type.String({ description: "Received + the workspace's slaDays" }),
    legalDueDate: Type.String({
      description: 'One month by Regulation 1182/71, in the workspace time zone',
    }),
    legalDueAt: Type.String({ description: 'The end of legalDueDate, as an instant' }),
  },
  component('RightsRequestFiled'),
)

const requestFields = {
  id: Type.String(),
  type: Type.String(),
  status: Type.Enum(requestStatuses),
  channel: Type.String(),
  receivedAt: Type.String(),
  dueAt: Type.String(),
  legalDueDate: Type.String(),
  legalDueAt: Type.String(),
  extendedDueDate: Type.Union([Type.String(), Type.Null()]),
  extendedDueAt: Type.Union([Type.String(), Type.Null()]),
  overdue: Type.Boolean(),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
  verifiedAt: Type.Union([Type.String(), Type.Null()]),
  verificationMethod: Type.Union([Type.String(), Type.Null()]),
  rejectionArticle: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Unknown({ description: 'What fulfilment did, in counts and names' }),
  failure: Type.Unknown({
    description: 'The problem of the last failed fulfilment, until a retry',
  }),
  decidedUnder: Type.Unknown({ description: 'The registry sources and purpose terms applied' }),
  exportExpiresAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
}

export const RequestSchema = Type.Object(requestFields, component('RightsRequest'))

export const RequestDetailSchema = Type.Object(
  {
    ...requestFields,
    subject: Type.Unknown(),
    replyTo: Type.Union([Type.String(), Type.Null()]),
    details: Type.Unknown(),
    notes: Type.Array(Type.Object({ at: Type.String(), kind: Type.String(), text: Type.String() })),
    timeline: Type.Array(
      Type.Object({
        at: Type.String(),
        event: Type.String(),
        actor: Type.String(),
        detail: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
  },
  component('RightsRequestDetail'),
)

export const RequestPageSchema = Type.Object(
  { data: Type.Array(RequestSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  component('RightsRequestPage'),
)

export const ListRequestsQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(requestStatuses)),
    type: Type.Optional(Type.Enum(requestTypes)),
    overdue: Type.Optional(Type.Boolean({ description: 'Only open requests past dueAt' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const VerifyBody = Type.Union([
  Type.Object(
    { code: Type.String({ pattern: '^[0-9]{6}$', description: 'The six digits from the mail' }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { reason: Reason },
    { additionalProperties: false, description: 'An operator confirms by hand, and how' },
  ),
])

export const FulfilBody = Type.Object(
  {
    compellingGrounds: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Reason, {
        maxProperties: 50,
        description: 'Objection: per purpose, the compelling legitimate grounds (Art. 21(1))',
      }),
    ),
  },
  { additionalProperties: false },
)

export const RejectBody = Type.Object(
  {
    reason: Reason,
    article: Type.String({
      pattern: '^art-[0-9a-z-]{1,12}$',
      description: `The ground of refusal for the request type: ${Object.keys(rejectionArticles).join(', ')}`,
    }),
  },
  { additionalProperties: false },
)

export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false })
export const OptionalReasonBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false },
)

export const HoldBody = Type.Object(
  { subject: SubjectSchema, basis: Type.Enum(holdBases), reason: Reason },
  { additionalProperties: false },
)

export const HoldSchema = Type.Object(
  {
    id: Type.String(),
    basis: Type.String(),
    createdAt: Type.String(),
    createdBy: Type.String(),
    liftedAt: Type.Union([Type.String(), Type.Null()]),
  },
  component('LegalHold'),
)

export const HoldsQuery = Type.Object(
  { includeLifted: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)

export const TokenParams = Type.Object({
  token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
})

export const HoldListSchema = Type.Object(
  { data: Type.Array(HoldSchema) },
  component('LegalHoldList'),
)
