import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import adequacyData from './adequacy-decisions.json' with { type: 'json' }

/**
 * The European Commission's adequacy decisions (Art. 45 GDPR) as data kept in the
 * repository (`adequacy-decisions.json`), with their dates: a decision counts from the
 * day it was adopted until it expires or the Court of Justice invalidates it (Safe
 * Harbour in Schrems I, Privacy Shield in Schrems II), so the guard answers for the day
 * of the transfer and a changed list is one edit to the file.
 */
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })

const DecisionSchema = Type.Object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$' }),
    name: Type.String({ minLength: 1 }),
    reference: Type.String({ minLength: 1 }),
    adoptedOn: DateText,
    expiresOn: Type.Optional(DateText),
    invalidatedOn: Type.Optional(DateText),
    /** `partial`: the decision covers only some recipients there (`condition` says which). */
    scope: Type.Union([Type.Literal('full'), Type.Literal('partial')]),
    condition: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const AdequacyListSchema = Type.Object(
  {
    source: Type.String({ minLength: 1 }),
    decisions: Type.Array(DecisionSchema, { minItems: 1 }),
    internationalOrganisations: Type.Array(
      Type.Object(
        {
          organisation: Type.String({ minLength: 1 }),
          reference: Type.String({ minLength: 1 }),
          adoptedOn: DateText,
          scope: Type.Union([Type.Literal('full'), Type.Literal('partial')]),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)

export type AdequacyDecision = Static<typeof DecisionSchema>

function checkedList(value: unknown): Static<typeof AdequacyListSchema> {
  const validator = Compile(AdequacyListSchema)
  if (!validator.Check(value)) {
    const first = [...validator.Errors(value)][0]
    throw new Error(`adequacy-decisions.json is not valid at ${first?.instancePath ?? '/'}`)
  }
  for (const decision of value.decisions) {
    if (decision.scope === 'partial' && decision.condition === undefined) {
      throw new Error(`The partial adequacy decision ${decision.reference} names no condition`)
    }
  }
  return value
}

const adequacyList = checkedList(adequacyData)

/** Where the list comes from, as a record of processing cites it. */
export const adequacySource: string = adequacyList.source

/** Every decision, in force or not, in the file's order. */
export const adequacyDecisions: readonly AdequacyDecision[] = Object.freeze(adequacyList.decisions)

/** The day of an instant, as the decisions' dates are written (UTC). */
function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10)
}

/**
 * The decision that makes `country` adequate on the day of `at`, or undefined. A day is
 * covered from the adoption date, and no longer from an expiry or invalidation date.
 */
export function adequacyDecisionAt(country: string, at: Date): AdequacyDecision | undefined {
  const day = dayOf(at)
  return adequacyDecisions.find(
    (decision) =>
      decision.country === country &&
      decision.adoptedOn <= day &&
      (decision.expiresOn === undefined || day < decision.expiresOn) &&
      (decision.invalidatedOn === undefined || day < decision.invalidatedOn),
  )
}
