import { type Static, Type } from 'typebox'
import { component } from '../../http/index.js'

// The privacy notice (Art. 13/14) as JSON; the HTML page shows the same, in the same order.

const Texts = Type.Array(Type.String())
const Address = Type.Object(
  {
    streetAddress: Type.String(),
    locality: Type.String(),
    postalCode: Type.String(),
    country: Type.String(),
  },
  { additionalProperties: false },
)

export const PrivacyNoticeSchema = Type.Object(
  {
    noticeVersion: Type.Literal(1),
    language: Type.String(),
    languages: Type.Array(
      Type.Object({ code: Type.String(), name: Type.String(), url: Type.String() }),
    ),
    generatedAt: Type.String(),
    dataMapVersion: Type.Integer(),
    title: Type.String(),
    intro: Type.String(),
    controller: Type.Object(
      {
        legalName: Type.String(),
        address: Address,
        email: Type.String(),
        phone: Type.String(),
        representative: Type.Union([
          Type.Object({ name: Type.String(), email: Type.String(), address: Address }),
          Type.Null(),
        ]),
      },
      { additionalProperties: false, description: 'Art. 13(1)(a)' },
    ),
    dataProtectionOfficer: Type.Object(
      { name: Type.String(), email: Type.String() },
      { additionalProperties: false, description: 'Art. 13(1)(b)' },
    ),
    categories: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          label: Type.String(),
          description: Type.String(),
          dataSubjects: Texts,
          purposes: Texts,
          lawfulBases: Texts,
          legitimateInterests: Type.Union([Type.String(), Type.Null()]),
          specialCategoryCondition: Type.Union([Type.String(), Type.Null()]),
          recipients: Texts,
          processors: Texts,
          transfers: Texts,
          retention: Type.String(),
          source: Type.String(),
          requirement: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    consentPurposes: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          description: Type.String(),
          lawfulBasis: Type.String(),
          automatedDecisions: Type.Boolean(),
          directMarketing: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    automatedDecisions: Type.Object(
      { text: Type.String(), purposes: Texts },
      { additionalProperties: false, description: 'Art. 13(2)(f)' },
    ),
    rights: Type.Array(
      Type.Object({ right: Type.String(), article: Type.String(), text: Type.String() }),
    ),
    exercise: Type.String(),
    withdrawConsent: Type.String(),
    complaint: Type.Object(
      { authority: Type.String(), country: Type.String(), url: Type.String(), text: Type.String() },
      { additionalProperties: false, description: 'Art. 13(2)(d), 77' },
    ),
    headings: Type.Record(Type.String(), Type.String()),
    untranslated: Type.Array(Type.String(), {
      description: 'Texts shown in English for lack of a translation',
    }),
  },
  component('PrivacyNotice'),
)
export type PrivacyNotice = Static<typeof PrivacyNoticeSchema>
