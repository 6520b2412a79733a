import { type Static, Type } from 'typebox'
import { component } from '../../http/index.js'

// DPIAs (Art. 35) and their risks: the register's shapes, for storage, the API and the
// instance's own DPIA file (custodian-dpia.yaml).

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength })
const Scale = Type.Integer({
  minimum: 1,
  maximum: 4,
  description:
    '1 negligible, 2 limited, 3 significant, 4 maximum (the scale of the CNIL PIA method)',
})
const DateText = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

export const RiskSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }),
    description: Text(2000),
    /** Art. 35(7)(c): the risks to the rights and freedoms of data subjects. */
    likelihood: Scale,
    severity: Scale,
    /** Art. 35(7)(d): the measures envisaged to address them. */
    measures: Type.Array(Text(1000), { minItems: 1, maxItems: 32 }),
    residualLikelihood: Scale,
    residualSeverity: Scale,
  },
  { additionalProperties: false },
)
export type Risk = Static<typeof RiskSchema>

/** What a DPIA says (Art. 35(7)): the processing, its necessity, its risks and measures. */
export const AssessmentFieldsSchema = Type.Object(
  {
    title: Text(300),
    /** Art. 35(7)(a): a systematic description of the processing and its purposes. */
    processing: Text(10000),
    categories: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }), {
      maxItems: 64,
      uniqueItems: true,
      description: 'The data map categories it covers',
    }),
    /** Art. 35(7)(b): necessity and proportionality in relation to the purposes. */
    necessity: Text(10000),
    proportionality: Text(10000),
    risks: Type.Array(RiskSchema, { minItems: 1, maxItems: 100 }),
    reviewDueOn: DateText,
  },
  { additionalProperties: false },
)
export type AssessmentFields = Static<typeof AssessmentFieldsSchema>

export const SignOffSchema = Type.Object(
  {
    opinion: Text(5000),
    /** When the DPO wants it looked at again: a year on is the usual rhythm. */
    nextReviewOn: DateText,
  },
  { additionalProperties: false },
)

const RiskViewSchema = Type.Object(
  {
    ...RiskSchema.properties,
    score: Type.Integer({ description: 'likelihood × severity, 1 to 16' }),
    residualScore: Type.Integer(),
    level: Type.String(),
    residualLevel: Type.String(),
  },
  { additionalProperties: false },
)

export const AssessmentSchema = Type.Object(
  {
    id: Type.String(),
    ...AssessmentFieldsSchema.properties,
    risks: Type.Array(RiskViewSchema),
    status: Type.Union([Type.Literal('draft'), Type.Literal('signed-off')]),
    signOff: Type.Union([
      Type.Object(
        {
          opinion: Type.String(),
          signedAt: Type.String(),
          signedBy: Type.String({ description: 'The actor who signed: an operator id' }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    overdue: Type.Boolean({ description: 'Its review date has passed (Art. 35(11))' }),
    seeded: Type.Boolean({ description: "The instance's own DPIA, shipped with Custodian" }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  component('Dpia'),
)
export type Assessment = Static<typeof AssessmentSchema>

export const RiskRegisterEntrySchema = Type.Object(
  {
    assessmentId: Type.String(),
    assessment: Type.String(),
    ...RiskViewSchema.properties,
  },
  { additionalProperties: false },
)
export type RiskRegisterEntry = Static<typeof RiskRegisterEntrySchema>
