import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import { findingKinds } from '../detection/index.js'
import { component } from '../http/index.js'
import { EmailSchema } from '../http/index.js'
import { ItemProblemSchema } from '../http/index.js'
import type { Profile } from './contacts.logic.js'

// Request and response schemas of the contacts API (validation, types, OpenAPI).

const AttributeValueSchema = Type.Union([
  Type.String({ maxLength: 2000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
])

export const AttributesSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
  AttributeValueSchema,
  {
    maxProperties: 100,
    description: 'Custom attributes: string, number, boolean or ISO 8601 date; null removes one',
  },
)

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()])

export const ContactFields = {
  externalId: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The id in the customer's own system",
      }),
    ),
  ),
  email: Type.Optional(Nullable(EmailSchema)),
  name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 300 }))),
  attributes: Type.Optional(AttributesSchema),
}

export const CreateContactBody = Type.Object(ContactFields, { additionalProperties: false })
export const CreateContactsBody = Type.Object(
  {
    // Items are checked one by one in the service (against the body of POST
    // /v1/contacts): a malformed contact is rejected with its index while the rest land.
    contacts: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: 500,
      description:
        'Up to 500 contacts, each a body of POST /v1/contacts; each is checked on its own',
    }),
  },
  { additionalProperties: false },
)

export const ContactBatchSchema = Type.Object(
  {
    created: Type.Array(Type.Object({ index: Type.Integer(), id: Type.String() }), {
      description: 'The contacts made, by their position in the batch',
    }),
    rejected: Type.Array(Type.Object({ index: Type.Integer(), problem: ItemProblemSchema }), {
      description: 'The contacts not made (no email or externalId, taken, attribute types)',
    }),
  },
  component('ContactBatchResult'),
)

export const UpdateContactBody = Type.Object(ContactFields, { additionalProperties: false })
export type ContactInput = Static<typeof CreateContactBody>

const EnrichedValueSchema = Type.Object({
  value: Type.String(),
  source: Type.String(),
  collectedAt: Type.String(),
  lawfulBasis: Type.String(),
})

const ContactFindingSchema = Type.Object(
  {
    field: Type.String({ description: '`name`, `externalId` or `attributes.<name>`' }),
    kind: Type.String({ description: findingKinds.join(', ') }),
    scheme: Type.Union([Type.String(), Type.Null()]),
    start: Type.Integer({ description: 'UTF-16 offset in the value as stored now' }),
    end: Type.Integer(),
    confidence: Type.Number(),
    status: Type.Union([
      Type.Literal('flagged'),
      Type.Literal('unflagged'),
      Type.Literal('redacted'),
    ]),
    detectedAt: Type.String(),
  },
  component('ContactFinding'),
)

export const ContactSchema = Type.Object(
  {
    id: Type.String(),
    externalId: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    attributes: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
    enrichment: Type.Record(Type.String(), EnrichedValueSchema, {
      description: 'Enriched fields with their provenance',
    }),
    findings: Type.Array(ContactFindingSchema, {
      description:
        'Sensitive data detected in the name, external id and attributes as they were written: kind, field, place and confidence, never the value; kinds the workspace auto-redacts are replaced before storage',
    }),
    lastActivityAt: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  component('Contact'),
)

export const ProfileSchema = Type.Object({
  externalId: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(
    Type.String(),
    Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
  ),
  enrichment: Type.Record(Type.String(), EnrichedValueSchema),
  // Absent from profiles sealed before detection scanned contacts.
  findings: Type.Optional(Type.Array(ContactFindingSchema)),
})

/** A profile opened from storage, checked against its schema like any other input. */
export function profileFrom(opened: unknown): Profile {
  const parsed = Value.Parse(ProfileSchema, opened)
  return { ...parsed, findings: parsed.findings ?? [] }
}

export const ListContactsQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320 })),
    externalId: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
)

export const ContactPageSchema = Type.Object(
  {
    data: Type.Array(ContactSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  component('ContactPage'),
)

export const EnrichContactBody = Type.Object(
  {
    source: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[a-z0-9][a-z0-9_.-]*$',
      description: 'Where the values come from, e.g. linkedin',
    }),
    fields: Type.Object(
      {
        firstName: Type.Optional(Type.String({ maxLength: 200 })),
        lastName: Type.Optional(Type.String({ maxLength: 200 })),
        avatarUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
        company: Type.Optional(Type.String({ maxLength: 300 })),
        jobTitle: Type.Optional(Type.String({ maxLength: 300 })),
        location: Type.Optional(Type.String({ maxLength: 300 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const RedactContactBody = Type.Object(
  {
    fields: Type.Optional(
      Type.Array(
        Type.String({ maxLength: 80, pattern: '^(name|attributes\\.[A-Za-z][A-Za-z0-9_]{0,63})$' }),
        {
          minItems: 1,
          maxItems: 101,
          description:
            'Redact every finding left in these fields (`name`, `attributes.<name>`); without it, every flagged finding',
        },
      ),
    ),
  },
  { additionalProperties: false },
)
