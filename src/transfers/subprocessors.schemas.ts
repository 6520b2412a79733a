import { type Static, Type } from 'typebox'
import { component } from '../http/index.js'

// The sub-processor registry's shapes: one schema each for the API (validation, types,
// OpenAPI) and for what is stored.

const DateText = Type.String({ format: 'date', description: 'A calendar date, YYYY-MM-DD' })
const Line = Type.String({ minLength: 1, maxLength: 500 })
const Name = Type.String({ minLength: 1, maxLength: 200 })

/** A data category of the data map (`browsing`, `payment-details`…). */
export const CategoryName = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' })

export const DpaSchema = Type.Object(
  {
    signedOn: DateText,
    reference: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'Where the signed agreement is kept: a document number or a URL',
    }),
  },
  {
    additionalProperties: false,
    description: 'The data processing agreement (Art. 28(3)); null until one is recorded',
  },
)

export const TransferMechanismSchema = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('none') },
      {
        additionalProperties: false,
        description: 'No Chapter V mechanism: only for a recipient in the EEA',
      },
    ),
    Type.Object(
      {
        type: Type.Literal('adequacy'),
        withinScope: Type.Boolean({
          description:
            'For a decision that covers only some recipients (the EU-U.S. Data Privacy Framework, PIPEDA in Canada): the recipient is one of them, e.g. certified',
        }),
      },
      { additionalProperties: false, description: 'An adequacy decision (Art. 45)' },
    ),
    Type.Object(
      {
        type: Type.Literal('scc'),
        module: Type.Integer({
          minimum: 1,
          maximum: 4,
          description:
            'The module of the 2021 clauses (Implementing Decision (EU) 2021/914): 1 controller to controller, 2 controller to processor, 3 processor to processor, 4 processor to controller',
        }),
        signedOn: DateText,
      },
      { additionalProperties: false, description: 'Standard contractual clauses (Art. 46(2)(c))' },
    ),
    Type.Object(
      { type: Type.Literal('bcr'), reference: Line },
      {
        additionalProperties: false,
        description: 'Binding corporate rules approved under Art. 47',
      },
    ),
  ],
  { description: 'How personal data may lawfully reach the recipient (Chapter V)' },
)

const fields = {
  name: Name,
  service: Type.String({ minLength: 1, maxLength: 1000, description: 'What it does for us' }),
  purposes: Type.Array(Line, { maxItems: 32 }),
  dataCategories: Type.Array(CategoryName, {
    maxItems: 64,
    uniqueItems: true,
    description: 'The data categories it receives: the guard refuses any other',
  }),
  country: Type.String({
    pattern: '^[A-Z]{2}$',
    description: 'Where it processes the data, ISO 3166-1 alpha-2',
  }),
  region: Type.String({ maxLength: 200, description: 'The data centre region, e.g. Dublin' }),
  endpoints: Type.Array(
    Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$', maxLength: 253 }),
    {
      maxItems: 32,
      uniqueItems: true,
      description: 'Host names the guard recognises it by (an SMTP relay, a bucket endpoint)',
    },
  ),
  dpa: Type.Union([DpaSchema, Type.Null()]),
  transferMechanism: TransferMechanismSchema,
  transferImpactAssessment: Type.Union(
    [Type.String({ minLength: 1, maxLength: 5000 }), Type.Null()],
    {
      description: 'The transfer impact assessment, in short, or where it is kept',
    },
  ),
  supplementaryMeasures: Type.Array(Line, {
    maxItems: 32,
    description:
      'Measures on top of the clauses (EDPB Recommendations 01/2020), e.g. "encrypted before transfer, keys stay in the EU"',
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('retired')], {
    description: 'A retired sub-processor receives nothing more',
  }),
}

/** What a new sub-processor's entry holds. */
export const NewSubprocessorBody = Type.Object(
  {
    ...fields,
    purposes: Type.Optional(fields.purposes),
    region: Type.Optional(fields.region),
    endpoints: Type.Optional(fields.endpoints),
    dpa: Type.Optional(fields.dpa),
    transferImpactAssessment: Type.Optional(fields.transferImpactAssessment),
    supplementaryMeasures: Type.Optional(fields.supplementaryMeasures),
    status: Type.Optional(fields.status),
  },
  { additionalProperties: false },
)
export type NewSubprocessor = Static<typeof NewSubprocessorBody>

/** A change names the fields it replaces; the rest stay. */
export const SubprocessorFieldsSchema = Type.Object(fields, { additionalProperties: false })
export type SubprocessorFields = Static<typeof SubprocessorFieldsSchema>

export const SubprocessorChangeBody = Type.Partial(SubprocessorFieldsSchema, {
  additionalProperties: false,
  minProperties: 1,
})
export type SubprocessorChange = Partial<SubprocessorFields>

export const SubprocessorSchema = Type.Object(
  {
    id: Type.String(),
    scope: Type.Union([Type.Literal('instance'), Type.Literal('workspace')], {
      description:
        "`instance`: the operator's own (mail relay, backup destination), changed with `custodian subprocessors`; `workspace`: this workspace's",
    }),
    ...fields,
    seeded: Type.Boolean({ description: 'Came with the instance as an editable default' }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    transferCheck: Type.Object(
      {
        allowed: Type.Boolean(),
        ground: Type.Union([Type.String(), Type.Null()]),
        refusal: Type.Union([Type.String(), Type.Null()]),
        explanation: Type.String(),
      },
      {
        additionalProperties: false,
        description:
          'What the transfer guard answers today for data of the categories it is registered for (storage and backups must also lie in the instance region)',
      },
    ),
  },
  component('Subprocessor'),
)
export type Subprocessor = Static<typeof SubprocessorSchema>

export const SubprocessorListSchema = Type.Object(
  { data: Type.Array(SubprocessorSchema) },
  { additionalProperties: false },
)
