import { type Static, type TSchema, Type } from 'typebox'
import { ItemProblemSchema } from '../http/index.js'
import { deviceTypes, eventTypes } from './tracking.table.js'
import { component } from '../http/index.js'

// Request and response schemas of the tracking routes. The route's body schema checks
// only the envelope (an array of at most 500 objects); each event is checked on its own
// against `EventSchema` in the service, so one bad event never loses the good ones.

export const maxBatchEvents = 500

export const eventIdPattern = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'

const JsonObject = Type.Record(Type.String(), Type.Unknown())

export const EventSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: eventIdPattern,
        description:
          'Client event id: a retried event with the same id is stored once per workspace. The server makes one when absent.',
      }),
    ),
    type: Type.Enum(eventTypes, { description: 'page, track or identify' }),
    anonymousId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The browser's anonymous id; required unless externalId is given",
      }),
    ),
    externalId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The customer's own user id" }),
    ),
    identityToken: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'With the public key, required whenever externalId is given: the token POST /v1/identity-tokens returned for that externalId',
      }),
    ),
    url: Type.Optional(Type.String({ maxLength: 4096 })),
    referrer: Type.Optional(Type.String({ maxLength: 4096 })),
    title: Type.Optional(Type.String({ maxLength: 1024 })),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Event name (track)' }),
    ),
    properties: Type.Optional(JsonObject),
    traits: Type.Optional(JsonObject),
    timestamp: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'ISO 8601 date-time the event happened; the time of arrival when absent',
      }),
    ),
    screen: Type.Optional(
      Type.Object(
        {
          width: Type.Integer({ minimum: 1, maximum: 100_000 }),
          height: Type.Integer({ minimum: 1, maximum: 100_000 }),
        },
        { additionalProperties: false },
      ),
    ),
    context: Type.Optional(
      Type.Object(
        {
          ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
          userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
        },
        {
          additionalProperties: false,
          description:
            "The end-user's IP and user agent as the customer's server saw them (secret key only; the browser's are read from its own request)",
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export type EventInput = Static<typeof EventSchema>

export const IngestBody = Type.Object(
  {
    // Items are checked one by one in the service: a malformed one (even a non-object)
    // is rejected with its index while the rest land.
    batch: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: maxBatchEvents,
      description: `Up to ${maxBatchEvents} events; each is validated on its own (see EventSchema in the description)`,
    }),
    sentAt: Type.Optional(
      Type.String({
        maxLength: 40,
        description: "The client's clock when it sent the batch: corrects skewed timestamps",
      }),
    ),
    writeKey: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'The public key, for navigator.sendBeacon (which cannot send an Authorization header). Never a secret key.',
      }),
    ),
  },
  { additionalProperties: false },
)

export const IngestResultSchema = Type.Object(
  {
    accepted: Type.Integer({ description: 'Events stored now or already stored (a replayed id)' }),
    duplicates: Type.Integer({ description: 'Accepted events whose id was already stored' }),
    rejected: Type.Array(Type.Object({ index: Type.Integer(), problem: ItemProblemSchema })),
  },
  component('IngestResult'),
)

export const EventsQuery = Type.Object(
  {
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(
      Type.String({ maxLength: 300, description: 'The `nextCursor` of the previous page' }),
    ),
    before: Type.Optional(
      Type.String({
        maxLength: 300,
        deprecated: true,
        description: 'Deprecated: the old name of `cursor`, kept for one release',
      }),
    ),
  },
  { additionalProperties: false },
)

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const EventViewSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    occurredAt: Type.String(),
    receivedAt: Type.String(),
    browser: nullable(Type.String()),
    browserVersion: nullable(Type.String()),
    os: nullable(Type.String()),
    device: Type.Enum(deviceTypes),
    country: nullable(Type.String()),
    /** Null when the subject was erased: the key is gone, the payload cannot be opened. */
    payload: nullable(JsonObject),
  },
  component('Event'),
)

export const EventsPageSchema = Type.Object(
  {
    data: Type.Array(EventViewSchema),
    nextCursor: nullable(Type.String({ description: 'Send as `cursor` for the next page' })),
    next: nullable(
      Type.String({
        deprecated: true,
        description: 'Deprecated: the old name of `nextCursor`, kept for one release',
      }),
    ),
    attribution: Type.String({ description: 'Credit for the geo-IP data shown (CC BY 4.0)' }),
  },
  component('EventsPage'),
)

export const IdentityTokenBody = Type.Object(
  { externalId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const IdentityTokenSchema = Type.Object({
  externalId: Type.String(),
  token: Type.String({
    description:
      'Put it in the page for this signed-in user: identify(externalId, traits, { token })',
  }),
})
