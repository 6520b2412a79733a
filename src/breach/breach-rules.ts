import { readFileSync } from 'node:fs'
import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'
import { ruleNames, type Thresholds } from './rules.logic.js'

const Window = (count: number, windowMinutes: number) =>
  Type.Object(
    {
      count: Type.Integer({ minimum: 1, maximum: 1_000_000, default: count }),
      windowMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: windowMinutes }),
    },
    { default: {}, additionalProperties: false },
  )

/**
 * The detection thresholds, one per rule, with defaults that stay quiet on a normal day
 * of a small team (the replay test holds them to that). An instance sets its own in a
 * JSON file named by CUSTODIAN_BREACH_RULES_FILE; fields left out keep the default.
 */
export const ThresholdsSchema = Type.Object(
  {
    failedLoginsPerAccount: Window(5, 15),
    failedLoginsPerAddress: Window(20, 15),
    subjectReads: Type.Object(
      {
        factor: Type.Number({ minimum: 1, maximum: 1000, default: 5 }),
        minimum: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 500 }),
        windowMinutes: Type.Integer({ minimum: 5, maximum: 1440, default: 60 }),
        baselineDays: Type.Integer({ minimum: 1, maximum: 90, default: 14 }),
      },
      { default: {}, additionalProperties: false },
    ),
    refusedKeys: Window(10, 15),
    operatorSessions: Type.Object(
      {
        minLogins: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
        hourSlack: Type.Integer({ minimum: 0, maximum: 6, default: 1 }),
      },
      { default: {}, additionalProperties: false },
    ),
    transferRefusals: Window(3, 60),
    erasuresAndExports: Window(20, 60),
    openIncident: Type.Array(Type.Union(ruleNames.map((name) => Type.Literal(name))), {
      default: ['failed-logins-account', 'subject-reads', 'audit-chain', 'mass-rights'],
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
)

/** The thresholds from a parsed document, defaults filled in; throws naming the field. */
export function parseThresholds(document: unknown): Thresholds {
  const filled = Value.Default(ThresholdsSchema, Value.Clone(document ?? {}))
  const errors = [...Value.Errors(ThresholdsSchema, filled)]
  const first = errors[0]
  if (first !== undefined) {
    throw new Error(`Breach rules: ${first.instancePath || '/'} ${first.message}`)
  }
  return Object.freeze(filled as Static<typeof ThresholdsSchema>)
}

export const defaultThresholds: Thresholds = parseThresholds({})

/** The configured thresholds: the file's when one is named, else the defaults. */
export function loadThresholds(file: string | undefined): Thresholds {
  if (file === undefined) return defaultThresholds
  return parseThresholds(JSON.parse(readFileSync(file, 'utf8')) as unknown)
}
