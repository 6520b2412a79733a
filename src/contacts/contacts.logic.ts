import { emailAsTyped } from '../email/index.js'
import type { FieldError } from '../errors.js'
import type { ContactFinding } from './contact-findings.logic.js'
import type { AttributeType } from './contacts.table.js'

/**
 * Custom attributes are typed the way a CRM's are: an attribute takes its type from the
 * first value a workspace stores under its name (a string in ISO 8601 date form is a
 * date), and every later value must have that type, so a report on `plan` or
 * `signed_up_at` never meets a mix.
 */
export type AttributeValue = string | number | boolean | null

export type Attributes = Record<string, AttributeValue>

/** Where an enriched value came from: its source, when, and under which Art. 6(1) basis. */
export type EnrichedValue = {
  value: string
  /** e.g. `clearbit`, `linkedin`, `operator`. */
  source: string
  collectedAt: string
  lawfulBasis: string
}

/** What is sealed in one envelope per contact. */
export type Profile = {
  externalId: string | null
  email: string | null
  name: string | null
  attributes: Attributes
  enrichment: Record<string, EnrichedValue>
  /** What detection found in the fields above (contact-findings.logic.ts): never a value. */
  findings: ContactFinding[]
}

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/

export function attributeTypeOf(value: Exclude<AttributeValue, null>): AttributeType {
  if (typeof value === 'number') return 'number'
  if (typeof value === 'boolean') return 'boolean'
  return isoDate.test(value) && !Number.isNaN(Date.parse(value)) ? 'date' : 'string'
}

export interface AttributeCheck {
  /** Attributes seen for the first time, with the type they now have. */
  newTypes: Record<string, AttributeType>
  /** Attributes whose value does not have the attribute's type. */
  mismatches: { name: string; expected: AttributeType; got: AttributeType }[]
}

export function checkAttributeTypes(
  attributes: Attributes,
  known: ReadonlyMap<string, AttributeType>,
): AttributeCheck {
  const newTypes: Record<string, AttributeType> = {}
  const mismatches: AttributeCheck['mismatches'] = []
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null) continue
    const got = attributeTypeOf(value)
    const expected = known.get(name) ?? newTypes[name]
    if (expected === undefined) newTypes[name] = got
    // A date is also a valid string value for a string attribute.
    else if (expected !== got && !(expected === 'string' && got === 'date'))
      mismatches.push({ name, expected, got })
  }
  return { newTypes, mismatches }
}

/** Each mismatch as the field error the API reports, naming the attribute and both types. */
export function attributeMismatchErrors(mismatches: AttributeCheck['mismatches']): FieldError[] {
  return mismatches.map((mismatch) => ({
    in: 'body',
    field: `attributes.${mismatch.name}`,
    message: `must be a ${mismatch.expected}, not a ${mismatch.got}`,
  }))
}

/** Applies a change: `null` removes an attribute, anything else sets it. */
export function mergeAttributes(current: Attributes, change: Attributes): Attributes {
  const merged: Attributes = { ...current }
  for (const [name, value] of Object.entries(change)) {
    if (value === null) Reflect.deleteProperty(merged, name)
    else merged[name] = value
  }
  return merged
}

export function emptyProfile(): Profile {
  return {
    externalId: null,
    email: null,
    name: null,
    attributes: {},
    enrichment: {},
    findings: [],
  }
}

/** A new contact's profile from what the API was given (the email as typed, in NFC). */
export function newProfileOf(input: {
  externalId?: string | null
  email?: string | null
  name?: string | null
  attributes?: Attributes
}): Profile {
  return {
    ...emptyProfile(),
    externalId: input.externalId ?? null,
    email: input.email ? emailAsTyped(input.email) : null,
    name: input.name ?? null,
    attributes: mergeAttributes({}, input.attributes ?? {}),
  }
}
