import { type TSchema, Type } from 'typebox'
import { component } from '../http/index.js'
import { EmailSchema } from '../http/index.js'
import { allowReasons, denyReasons, lawfulBases } from './consent.logic.js'
import { consentSources, ledgerActions } from './ledger.logic.js'
import { dataCategoryPattern, purposeNamePattern } from './purposes.logic.js'
import { parentalVerificationMethods } from './record-signals.js'

// Request and response schemas of the consent routes: they validate, type the handlers
// and document the API in OpenAPI from one place.

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const identifierFields = {
  anonymousId: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        "The browser's anonymous id (the SDK's own); the only one the public key may use",
    }),
  ),
  externalId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "The customer's own user id" }),
  ),
  email: Type.Optional(EmailSchema),
}

export const PurposeName = Type.String({ pattern: purposeNamePattern, maxLength: 64 })
const PolicyVersion = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
const LawfulBasisSchema = Type.Enum(lawfulBases)
const Reason = Type.Enum([...allowReasons, ...denyReasons])

export const ConsentBody = Type.Object(
  {
    ...identifierFields,
    purpose: PurposeName,
    granted: Type.Boolean({
      description:
        'true grants (or, on legitimate interests, withdraws an objection); false withdraws (or objects)',
    }),
    policyVersion: Type.Optional(PolicyVersion),
    globalPrivacyControl: Type.Optional(
      Type.Boolean({
        description:
          'navigator.globalPrivacyControl as the SDK read it; the Sec-GPC: 1 header counts as true',
      }),
    ),
    proof: Type.Optional(
      Type.Object(
        {
          ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
          userAgent: Type.Optional(Type.String({ maxLength: 512 })),
        },
        {
          additionalProperties: false,
          description:
            "The end-user's IP and user agent as the customer's server saw them (secret key only; the SDK's are taken from its own request)",
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const ConsentQuery = Type.Object(
  {
    ...identifierFields,
    historyLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
)

export const DecisionQuery = Type.Object(
  { ...identifierFields, purpose: PurposeName },
  { additionalProperties: false },
)

export const ReceiptParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
export const ReceiptQuery = Type.Object(
  { anonymousId: identifierFields.anonymousId },
  { additionalProperties: false },
)

export const AgeBody = Type.Object(
  {
    ...identifierFields,
    age: Type.Optional(Type.Integer({ minimum: 0, maximum: 130 })),
    birthDate: Type.Optional(
      Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD; kept sealed' }),
    ),
  },
  { additionalProperties: false },
)

export const ParentalBody = Type.Object(
  {
    ...identifierFields,
    verified: Type.Boolean(),
    method: Type.Optional(Type.Enum(parentalVerificationMethods)),
    reference: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The controller's own reference to the verification; kept sealed",
      }),
    ),
  },
  { additionalProperties: false },
)

const PurposeViewSchema = Type.Object({
  purpose: Type.String(),
  lawfulBasis: LawfulBasisSchema,
  description: Type.String(),
  granted: nullable(Type.Boolean()),
  decidedAt: nullable(Type.String()),
  policyVersion: nullable(Type.String()),
  objected: Type.Boolean(),
  decision: Type.Object({ allowed: Type.Boolean(), reason: Reason }),
})

const FlagsSchema = Type.Object({
  restricted: Type.Boolean(),
  automatedDecisionsOptedOut: Type.Boolean(),
  globalPrivacyControl: Type.Boolean(),
  child: Type.Boolean(),
  parentalConsentVerified: Type.Boolean(),
})

const eventFields = {
  id: Type.String(),
  subjectId: Type.String(),
  seq: Type.Integer(),
  action: Type.Enum(ledgerActions),
  purpose: nullable(Type.String()),
  granted: nullable(Type.Boolean()),
  policyVersion: nullable(Type.String()),
  source: Type.Enum(consentSources),
  gpc: Type.Boolean(),
  recordedAt: Type.String(),
  purposeTermsSha256: nullable(
    Type.String({
      description:
        "SHA-256 of the purpose's terms (basis, description, data categories) a grant, withdrawal or objection was made under; its receipt repeats them. Null for other entries, and for choices recorded before terms were kept",
    }),
  ),
}
export const EventSchema = Type.Object(eventFields)

const HistoryItemSchema = Type.Object({
  ...eventFields,
  receiptId: nullable(Type.String()),
  proof: Type.Optional(
    Type.Object({
      ip: nullable(Type.String()),
      userAgent: nullable(Type.String()),
      evidence: Type.Unknown({ description: 'Sealed evidence, opened (JSON)' }),
      erased: Type.Boolean(),
    }),
  ),
})

export const ConsentsViewSchema = Type.Object(
  {
    subjectId: nullable(Type.String()),
    flags: FlagsSchema,
    purposes: Type.Array(PurposeViewSchema),
    history: Type.Array(HistoryItemSchema),
    historyTotal: Type.Integer(),
  },
  component('Consents'),
)

export const RecordedConsentSchema = Type.Object(
  {
    subjectId: Type.String(),
    receiptId: Type.String(),
    event: EventSchema,
    events: Type.Array(EventSchema),
    state: PurposeViewSchema,
  },
  component('RecordedConsent'),
)

export const SignalRecordedSchema = Type.Object({
  subjectId: Type.String(),
  events: Type.Array(EventSchema),
  flags: FlagsSchema,
})

export const DecisionSchema = Type.Object(
  {
    allowed: Type.Boolean(),
    reason: Reason,
    purpose: Type.String(),
    lawfulBasis: nullable(LawfulBasisSchema),
    subjectId: nullable(Type.String()),
  },
  component('Decision'),
)

export const PurposeSchema = Type.Object(
  {
    name: Type.String(),
    lawfulBasis: LawfulBasisSchema,
    description: Type.String(),
    dataCategories: Type.Array(Type.String()),
    directMarketing: Type.Boolean(),
    automatedDecisions: Type.Boolean(),
    minPolicySeq: Type.Integer(),
    builtIn: Type.Boolean(),
    updatedAt: nullable(Type.String()),
  },
  component('Purpose'),
)

const purposeFields = {
  lawfulBasis: LawfulBasisSchema,
  description: Type.String({ minLength: 1, maxLength: 1000 }),
  dataCategories: Type.Optional(
    Type.Array(Type.String({ pattern: dataCategoryPattern }), { maxItems: 20 }),
  ),
  directMarketing: Type.Optional(
    Type.Boolean({
      description: 'Direct marketing or profiling for it: GPC and objections stop it',
    }),
  ),
  automatedDecisions: Type.Optional(
    Type.Boolean({
      description: 'Evaluates the person automatically: the Art. 22 opt-out stops it',
    }),
  ),
}

export const CreatePurposeBody = Type.Object(
  { name: PurposeName, ...purposeFields },
  { additionalProperties: false },
)

export const PurposeParams = Type.Object({ name: PurposeName })

export const ChangePurposeBody = Type.Object(
  {
    lawfulBasis: Type.Optional(purposeFields.lawfulBasis),
    description: Type.Optional(purposeFields.description),
    dataCategories: purposeFields.dataCategories,
    directMarketing: purposeFields.directMarketing,
    automatedDecisions: purposeFields.automatedDecisions,
  },
  { additionalProperties: false, minProperties: 1 },
)

export const PolicySchema = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer(),
    version: Type.String(),
    url: Type.String(),
    text: nullable(Type.String()),
    textSha256: nullable(Type.String()),
    reconsentPurposes: Type.Array(Type.String()),
    publishedAt: Type.String(),
  },
  component('Policy'),
)

export const PublishPolicyBody = Type.Object(
  {
    version: PolicyVersion,
    url: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000 })),
    reconsentPurposes: Type.Optional(
      Type.Array(PurposeName, {
        // The audit entry lists them, and an audit detail holds at most 32 items.
        maxItems: 32,
        description: 'Purposes whose earlier consents stop counting until given again',
      }),
    ),
  },
  { additionalProperties: false },
)
