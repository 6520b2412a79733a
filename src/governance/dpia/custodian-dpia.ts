import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { parse } from 'yaml'
import { AssessmentFieldsSchema, type AssessmentFields } from './dpia.schema.js'

/** The instance's own DPIA, `src/governance/custodian-dpia.yaml` (read as the data map is). */
export const custodianDpiaPath = fileURLToPath(
  new URL('../../../src/governance/custodian-dpia.yaml', import.meta.url),
)

// The file has everything a DPIA has but its review date, which seeding sets, and a version.
const FileSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    ...Type.Omit(AssessmentFieldsSchema, ['reviewDueOn']).properties,
  },
  { additionalProperties: false },
)
const validator = Compile(FileSchema)

/** The DPIA of Custodian itself, read and checked; its review date is set when seeded. */
export function loadCustodianDpia(path = custodianDpiaPath): Omit<AssessmentFields, 'reviewDueOn'> {
  const parsed: unknown = parse(readFileSync(path, 'utf8'))
  if (!validator.Check(parsed)) {
    const first = [...validator.Errors(parsed)][0]
    throw new Error(`The DPIA ${path} is not valid at ${first?.instancePath || '/'}`)
  }
  return {
    title: parsed.title,
    processing: parsed.processing,
    categories: parsed.categories,
    necessity: parsed.necessity,
    proportionality: parsed.proportionality,
    risks: parsed.risks,
  }
}
