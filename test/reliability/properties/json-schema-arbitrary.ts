import fc from 'fast-check'

/**
 * fast-check arbitraries made from a JSON Schema (what TypeBox builds): values the
 * schema accepts, for the keywords Custodian's request schemas use. A schema with a
 * keyword this does not understand is reported as not generatable (`undefined`), so a
 * property never runs on values it cannot vouch for.
 */
export interface JsonSchema {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  patternProperties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  [keyword: string]: unknown
}

const understood = new Set([
  'type',
  'properties',
  'patternProperties',
  'required',
  'items',
  'anyOf',
  'enum',
  'const',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'maxProperties',
  'additionalProperties',
  'default',
  'description',
  'title',
  'examples',
  'deprecated',
  '$id',
  'uniqueItems',
])

const formats: Record<string, fc.Arbitrary<string>> = {
  uuid: fc.uuid(),
  email: fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.stringMatching(/^[a-z]{1,12}$/))
    .map(([local, domain]) => `${local}@${domain}.example`),
  'date-time': fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  date: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  uri: fc.webUrl(),
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> | undefined {
  const minLength = schema.minLength ?? 0
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40)
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern)
  // JSON Schema counts lengths in code points, as Array.from does.
  const fits = (value: string) =>
    Array.from(value).length >= minLength &&
    Array.from(value).length <= (schema.maxLength ?? Infinity) &&
    (pattern?.test(value) ?? true)
  if (schema.format !== undefined) {
    const format = formats[schema.format]
    return format?.filter(fits)
  }
  if (schema.pattern !== undefined) {
    if (/\(\?[=!<]|\\[pP]\{/.test(schema.pattern)) return undefined
    return fc.stringMatching(new RegExp(schema.pattern)).filter(fits)
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' }).filter(fits)
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (integer ? -1_000_000 : -1e12)
  const max = schema.maximum ?? (integer ? 1_000_000 : 1e12)
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
}

export function arbitraryOf(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> | undefined {
  if (depth > 8 || Object.keys(schema).some((keyword) => !understood.has(keyword))) return undefined
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  const choices = schema.anyOf
  if (choices !== undefined) {
    const arbitraries = choices.map((choice) => arbitraryOf(choice, depth + 1))
    if (arbitraries.some((item) => item === undefined)) return undefined
    return fc.oneof(...(arbitraries as fc.Arbitrary<unknown>[]))
  }
  if (Array.isArray(schema.type)) {
    return arbitraryOf({ anyOf: schema.type.map((type) => ({ ...schema, type })) }, depth)
  }
  switch (schema.type) {
    case 'string':
      return stringOf(schema)
    case 'integer':
      return numberOf(schema, true)
    case 'number':
      return numberOf(schema, false)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return arrayOf(schema, depth)
    case 'object':
      return objectOf(schema, depth)
    case undefined:
      // No type: anything (Type.Unknown).
      return Object.keys(schema).some((key) => ['properties', 'items'].includes(key))
        ? undefined
        : fc.jsonValue({ maxDepth: 2 })
    default:
      return undefined
  }
}

function arrayOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> | undefined {
  const items = schema.items === undefined ? fc.jsonValue() : arbitraryOf(schema.items, depth + 1)
  if (items === undefined) return undefined
  const minLength = schema.minItems ?? 0
  const maxLength = Math.min(schema.maxItems ?? 3, minLength + 3)
  return schema.uniqueItems === true
    ? fc.uniqueArray(items, { minLength, maxLength, selector: (item) => JSON.stringify(item) })
    : fc.array(items, { minLength, maxLength })
}

function objectOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> | undefined {
  const properties = Object.entries(schema.properties ?? {})
  const model: Record<string, fc.Arbitrary<unknown>> = {}
  for (const [name, property] of properties) {
    const arbitrary = arbitraryOf(property, depth + 1)
    if (arbitrary === undefined) return undefined
    model[name] = arbitrary
  }
  // Pattern properties (custom attributes) are left out: an empty map is valid.
  return fc.record(model, { requiredKeys: schema.required ?? [] })
}

/** The JSON types a value has (an integer is also a number). */
export function jsonTypesOf(value: unknown): string[] {
  if (value === null) return ['null']
  if (Array.isArray(value)) return ['array']
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number']
  return [typeof value]
}

/** The JSON types a schema admits; undefined when it admits any (no type named). */
export function typesAdmitted(schema: JsonSchema): Set<string> | undefined {
  if (schema.const !== undefined) return new Set(jsonTypesOf(schema.const))
  if (schema.enum !== undefined) return new Set(schema.enum.flatMap(jsonTypesOf))
  const choices = schema.anyOf ?? schema.oneOf
  if (choices !== undefined) {
    const sets = choices.map(typesAdmitted)
    if (sets.some((set) => set === undefined)) return undefined
    return new Set(sets.flatMap((set) => [...(set ?? [])]))
  }
  if (schema.type === undefined) return undefined
  return new Set(Array.isArray(schema.type) ? schema.type : [schema.type])
}
