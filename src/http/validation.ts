import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchema, FastifySchemaCompiler } from 'fastify'
import { addEmailFormat } from './email-format.js'
import { addTimeZoneFormat, isTimeZoneName, timeZoneFormat } from './time-zone-format.js'

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

/**
 * Two validators. Query strings, path parameters and headers arrive as text, so their
 * values are coerced to the schema's types (`?limit=3` is a number). A JSON body is
 * never coerced: `{"seats": 1}` must stay a number and `{"plan": "12"}` a string, or
 * typed data (custom attributes, consent flags) would silently change type.
 */
const shared: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
}

function build(options: Options): Ajv {
  const ajv = new Ajv({ ...shared, ...options })
  addFormats(ajv)
  // ajv-formats' own `email` is ASCII only; ours accepts international addresses.
  addEmailFormat(ajv)
  addTimeZoneFormat(ajv)
  return ajv
}

export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const bodies = build({ coerceTypes: false })
  const text = build({ coerceTypes: 'array' })
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema as object)
}

/**
 * Options for the response serializer (fast-json-stringify): its own ajv picks the
 * branch of a union in a response, and compiles the schema around it, so it must know
 * every format our schemas name beyond ajv-formats' or it warns and ignores it.
 */
export function serializerOptions(): { ajv: Options } {
  return { ajv: { formats: { [timeZoneFormat]: isTimeZoneName } } }
}
