import { Type } from 'typebox'
import { component } from '../http/index.js'
import { breachNatures } from './incidents.logic.js'

// The breach register's and the alerts' shapes: validation, types and OpenAPI.

const Time = Type.String({ format: 'date-time', description: 'ISO 8601' })
const NullableTime = Type.Union([Time, Type.Null()])
const Text = Type.Union([Type.String({ minLength: 1, maxLength: 5000 }), Type.Null()])
const Nature = Type.Union(breachNatures.map((nature) => Type.Literal(nature)))
const Category = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' })
const Count = Type.Union([Type.Integer({ minimum: 0, maximum: 10_000_000_000 }), Type.Null()])

const WindowSchema = Type.Object(
  {
    from: Time,
    until: Type.Optional(NullableTime),
    actorType: Type.Union([
      Type.Literal('operator'),
      Type.Literal('api-key'),
      Type.Literal('system'),
    ]),
    actorId: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Whose audit trail, and when, gives the affected subjects (open-ended without until)',
  },
)

const fields = {
  awareAt: Type.Optional(Time),
  nature: Type.Union([Nature, Type.Array(Nature, { minItems: 1, maxItems: 3 })], {
    description: 'Confidentiality, integrity and/or availability breach',
  }),
  categories: Type.Optional(Type.Array(Category, { maxItems: 32 })),
  approxSubjects: Type.Optional(Count),
  approxRecords: Type.Optional(Count),
  description: Type.Optional(Text),
  consequences: Type.Optional(Text),
  measuresTaken: Type.Optional(Text),
  measuresProposed: Type.Optional(Text),
  dpoAssessment: Type.Optional(Text),
  art33Decision: Type.Optional(
    Type.Union([Type.Literal('notify'), Type.Literal('not-required'), Type.Null()]),
  ),
  art33Reason: Type.Optional(Text),
  art34Decision: Type.Optional(
    Type.Union([Type.Literal('communicate'), Type.Literal('not-required'), Type.Null()]),
  ),
  art34Reason: Type.Optional(Text),
  authorityNotifiedAt: Type.Optional(NullableTime),
  subjectsInformedAt: Type.Optional(NullableTime),
  window: Type.Optional(Type.Union([WindowSchema, Type.Null()])),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
}

export const NewIncidentBody = Type.Object(
  { discoveredAt: Time, ...fields },
  { additionalProperties: false },
)

export const IncidentChangeBody = Type.Object(
  { discoveredAt: Type.Optional(Time), ...fields, nature: Type.Optional(fields.nature) },
  { additionalProperties: false, minProperties: 1 },
)

export const IncidentSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.String(),
    discoveredAt: Time,
    awareAt: Time,
    authorityDeadline: Time,
    clock: Type.Object({
      state: Type.String({
        description: 'running, warning (48 h), overdue (72 h), notified, not-required',
      }),
      authorityDeadline: Time,
      hoursElapsed: Type.Integer(),
      hoursLeft: Type.Integer(),
    }),
    nature: Type.Array(Type.String()),
    categories: Type.Array(Type.String()),
    approxSubjects: Count,
    approxRecords: Count,
    description: Text,
    consequences: Text,
    measuresTaken: Text,
    measuresProposed: Text,
    dpoAssessment: Text,
    art33Decision: Type.Union([Type.String(), Type.Null()]),
    art33Reason: Text,
    art34Decision: Type.Union([Type.String(), Type.Null()]),
    art34Reason: Text,
    authorityNotifiedAt: NullableTime,
    subjectsInformedAt: NullableTime,
    window: Type.Union([
      Type.Object({
        from: Time,
        until: NullableTime,
        actorType: Type.String(),
        actorId: Type.String(),
      }),
      Type.Null(),
    ]),
    alertId: Type.Union([Type.String(), Type.Null()]),
    warnedAt: NullableTime,
    overdueAt: NullableTime,
    createdAt: Time,
    updatedAt: Time,
  },
  component('BreachIncident'),
)

export const IncidentListSchema = Type.Object({ data: Type.Array(IncidentSchema) })

export const DraftsSchema = Type.Object({
  language: Type.String(),
  authorityNotice: Type.String(),
  subjectMessage: Type.String(),
})

export const AffectedSchema = Type.Object({
  window: Type.Object({
    from: Time,
    until: Time,
    actorType: Type.String(),
    actorId: Type.String(),
  }),
  subjects: Type.Integer(),
  records: Type.Integer(),
  categories: Type.Array(Type.String()),
  subjectRefs: Type.Array(Type.String(), { description: 'Blind references: name no one' }),
})

export const RevealedSchema = Type.Object({
  contacts: Type.Array(Type.Object({ id: Type.String() }, { additionalProperties: true })),
  notContacts: Type.Integer(),
})

export const AlertSchema = Type.Object(
  {
    id: Type.String(),
    workspaceId: Type.Union([Type.String(), Type.Null()]),
    rule: Type.String(),
    raisedAt: Time,
    severity: Type.String(),
    evidence: Type.Record(Type.String(), Type.Unknown()),
    incidentId: Type.Union([Type.String(), Type.Null()]),
    delivery: Type.String({
      description:
        'The webhook: none, pending, delivered, refused (by the transfer guard), failed (tried again up to 8 times)',
    }),
    deliveryAttempts: Type.Integer({ minimum: 0 }),
  },
  component('BreachAlert'),
)

export const AlertListSchema = Type.Object({ data: Type.Array(AlertSchema) })
