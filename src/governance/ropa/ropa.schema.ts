import { type Static, Type } from 'typebox'
import { component } from '../../http/index.js'
import { ControllerSchema } from '../../workspaces/index.js'

// The records of processing activities (Art. 30) as JSON: the controller's record
// (Art. 30(1)) and the processor's (Art. 30(2)). CSV and HTML are made from the same.

const Texts = Type.Array(Type.String())

export const TransferSchema = Type.Object(
  {
    subprocessor: Type.String(),
    country: Type.String(),
    mechanism: Type.String({ description: 'The Chapter V ground, in words' }),
    safeguards: Texts,
    guardAllows: Type.Boolean({
      description: 'Whether the transfer guard lets data go there today',
    }),
  },
  { additionalProperties: false },
)
export type Transfer = Static<typeof TransferSchema>

export const RecipientSchema = Type.Object(
  {
    name: Type.String(),
    scope: Type.String(),
    country: Type.String(),
    service: Type.String(),
    dpa: Type.Union([Type.String(), Type.Null()], {
      description: 'Signed on, and where it is kept',
    }),
  },
  { additionalProperties: false },
)

export const LocationSchema = Type.Object(
  { module: Type.String(), table: Type.String(), retention: Type.String() },
  { additionalProperties: false },
)

export const AssessmentLinkSchema = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    status: Type.String(),
    reviewDueOn: Type.String(),
  },
  { additionalProperties: false },
)

/** One processing activity: one category of the data map, with all Art. 30(1)(b)-(g) says. */
export const ActivitySchema = Type.Object(
  {
    category: Type.String(),
    label: Type.String(),
    description: Type.String(),
    origin: Type.String(),
    specialCategory: Type.Boolean(),
    specialCategoryCondition: Type.Union([Type.String(), Type.Null()]),
    systems: Texts,
    purposes: Texts,
    consentPurposes: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          lawfulBasis: Type.String(),
          description: Type.String(),
          automatedDecisions: Type.Boolean(),
          directMarketing: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { description: "The workspace's consent purposes that process this category" },
    ),
    lawfulBases: Texts,
    legitimateInterests: Type.Union([Type.String(), Type.Null()]),
    dataSubjects: Texts,
    recipients: Texts,
    subprocessors: Type.Array(RecipientSchema),
    transfers: Type.Array(TransferSchema),
    retention: Type.String(),
    locations: Type.Array(LocationSchema),
    source: Type.String(),
    requirement: Type.String(),
    automatedDecisions: Texts,
    rights: Texts,
    assessments: Type.Array(AssessmentLinkSchema),
  },
  { additionalProperties: false },
)
export type Activity = Static<typeof ActivitySchema>

export const ControllerRecordSchema = Type.Object(
  {
    article: Type.Literal('Art. 30(1)'),
    workspace: Type.Object(
      { id: Type.String(), name: Type.String(), region: Type.String() },
      { additionalProperties: false },
    ),
    controller: Type.Union([ControllerSchema, Type.Null()], {
      description: 'Art. 30(1)(a); null until the workspace records it',
    }),
    jointControllers: Texts,
    technicalMeasures: Texts,
    activities: Type.Array(ActivitySchema),
  },
  { additionalProperties: false },
)
export type ControllerRecord = Static<typeof ControllerRecordSchema>

export const ProcessingForControllerSchema = Type.Object(
  {
    workspaceId: Type.String(),
    controller: Type.String({
      description: 'Name and contact details, as the workspace recorded them',
    }),
    categoriesOfProcessing: Texts,
  },
  { additionalProperties: false },
)

export const ProcessorRecordSchema = Type.Object(
  {
    article: Type.Literal('Art. 30(2)'),
    processor: Type.Object(
      {
        name: Type.Union([Type.String(), Type.Null()]),
        note: Type.String(),
        publicUrl: Type.String(),
        region: Type.String(),
      },
      { additionalProperties: false },
    ),
    controllers: Type.Array(ProcessingForControllerSchema),
    transfers: Type.Array(TransferSchema),
    technicalMeasures: Texts,
  },
  { additionalProperties: false },
)
export type ProcessorRecord = Static<typeof ProcessorRecordSchema>

export const RecordsOfProcessingSchema = Type.Object(
  {
    recordVersion: Type.Literal(1),
    generatedAt: Type.String(),
    dataMapVersion: Type.Integer(),
    template: Type.Object(
      { name: Type.String(), url: Type.String() },
      {
        additionalProperties: false,
        description: 'The supervisory authority template the CSV follows',
      },
    ),
    controllerRecord: ControllerRecordSchema,
    processorRecord: ProcessorRecordSchema,
  },
  component('RecordsOfProcessing'),
)
export type RecordsOfProcessing = Static<typeof RecordsOfProcessingSchema>
