import { type Static, Type } from 'typebox'
import { lawfulBases } from '../../consent/index.js'
import { component } from '../../http/index.js'

// The data map's shapes: the YAML file in the repository and a workspace's additions
// are both checked against these, and the API describes them with the same schemas.

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength })
const Texts = (description: string) =>
  Type.Array(Text(500), { minItems: 1, maxItems: 32, description })

export const categoryNamePattern = '^[a-z][a-z0-9-]{0,63}$'

export const LawfulBasisSchema = Type.Enum(lawfulBases, { description: 'Art. 6(1)(a)-(f)' })

export const DataMapCategorySchema = Type.Object(
  {
    label: Text(200),
    description: Text(2000),
    specialCategory: Type.Boolean({
      description: 'Special category data (Art. 9): health, beliefs, biometrics…',
    }),
    specialCategoryCondition: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description: 'The Art. 9(2) condition relied on',
      }),
    ),
    dataSubjects: Texts('Categories of data subjects (Art. 30(1)(c))'),
    purposes: Texts('What it is processed for (Art. 30(1)(b), 13(1)(c))'),
    lawfulBases: Type.Array(LawfulBasisSchema, { minItems: 1, maxItems: 6, uniqueItems: true }),
    legitimateInterests: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        description:
          'The interests pursued, when one basis is legitimate interests (Art. 13(1)(d))',
      }),
    ),
    retention: Text(1000),
    systems: Texts('Where it is kept'),
    recipients: Texts('Categories of recipients (Art. 30(1)(d), 13(1)(e))'),
    source: Text(1000),
    requirement: Type.String({
      minLength: 1,
      maxLength: 1000,
      description:
        'Whether providing it is a statutory or contractual requirement, and what follows if it is not given (Art. 13(2)(e))',
    }),
    aliases: Type.Optional(
      Type.Array(Type.String({ pattern: categoryNamePattern }), {
        maxItems: 16,
        description: 'The words consent purposes use for the same data',
      }),
    ),
  },
  { additionalProperties: false },
)
export type DataMapCategory = Static<typeof DataMapCategorySchema>

/**
 * The bounds within which a workspace may set how long a category is kept (Art. 5(1)(e)),
 * stated by the instance's data map and held to by the workspace settings: start-up
 * stops when the setting named here has other bounds or another default.
 */
export const RetentionSettingSchema = Type.Object(
  {
    setting: Type.String({
      pattern: '^[a-zA-Z]+(\\.[a-zA-Z]+)+$',
      description: 'The workspace setting that holds the period, as a dotted path',
    }),
    minimumDays: Type.Integer({ minimum: 1 }),
    maximumDays: Type.Integer({ minimum: 1 }),
    defaultDays: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
)
export type RetentionSetting = Static<typeof RetentionSettingSchema>

/** A category as the instance's file states it: a workspace's own categories set no bounds. */
export const DataMapFileCategorySchema = Type.Object(
  { ...DataMapCategorySchema.properties, retentionSetting: Type.Optional(RetentionSettingSchema) },
  { additionalProperties: false },
)

export const DataMapFileSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    technicalMeasures: Texts(
      'General description of technical and organisational measures (Art. 30(1)(g), 32)',
    ),
    categories: Type.Record(
      Type.String({ pattern: categoryNamePattern }),
      DataMapFileCategorySchema,
    ),
  },
  { additionalProperties: false },
)
export type DataMapFile = Static<typeof DataMapFileSchema>

/** One category as a workspace sees it: the instance's, or one it added. */
export const DataMapEntrySchema = Type.Object(
  {
    name: Type.String(),
    origin: Type.Union([Type.Literal('instance'), Type.Literal('workspace')]),
    ...DataMapFileCategorySchema.properties,
  },
  component('DataMapCategory'),
)
export type DataMapEntry = Static<typeof DataMapEntrySchema>

export const DataMapSchema = Type.Object(
  {
    version: Type.Integer(),
    technicalMeasures: Type.Array(Type.String()),
    categories: Type.Array(DataMapEntrySchema),
  },
  component('DataMap'),
)
export type DataMap = Static<typeof DataMapSchema>
