import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { createValidatorCompiler } from '../../../src/http/index.js'
import { longRun } from '../long-run.js'
import { propertyOptions } from './options.js'
import {
  arbitraryOf,
  type JsonSchema,
  jsonTypesOf,
  typesAdmitted,
} from './json-schema-arbitrary.js'

/**
 * Every schema exported by a `src/**\/*.schemas.ts` file (found at run time, so a module
 * added later joins by existing), compiled by the app's own body validator:
 * - it answers true or false for any JSON at all, hostile keys and numbers included,
 *   and never throws (a throw in validation would be a 500);
 * - values made from the schema are accepted (the validator is not stricter than the
 *   published contract);
 * - a value with one property of the wrong JSON type, or without a required property,
 *   is refused (the validator is not looser than the contract).
 */
const sourceRoot = new URL('../../../src/', import.meta.url)

function schemaFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) return schemaFiles(path)
    return entry.name.endsWith('.schemas.ts') ? [path] : []
  })
}

function isSchema(value: unknown): value is JsonSchema {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return ['type', 'anyOf', 'oneOf', 'const', 'enum'].some((keyword) => keyword in value)
}

const root = sourceRoot.pathname
const schemas: { name: string; schema: JsonSchema }[] = []
for (const file of schemaFiles(root).sort()) {
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  for (const [name, value] of Object.entries(module)) {
    if (isSchema(value)) schemas.push({ name: `${relative(root, file)} ${name}`, schema: value })
  }
}

const compile = createValidatorCompiler()
const validatorOf = (schema: JsonSchema) =>
  compile({ schema: schema as object, httpPart: 'body', method: 'POST', url: '/' }) as (
    value: unknown,
  ) => boolean

// What hostile clients put in JSON: prototype keys, numbers at the edges, odd strings.
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    JSON.parse('{"__proto__":{"admin":true}}') as unknown,
    { constructor: { prototype: { x: 1 } } },
    1.7976931348623157e308,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    '\u0000',
    '\ud800',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    'a'.repeat(70_000),
  ),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
)

const options = propertyOptions(longRun ? 2000 : 60)

describe(`request schemas under fast-check (${schemas.length} schemas)`, () => {
  test('the schema files were found', () => {
    assert.ok(schemas.length > 50, `${schemas.length} schemas`)
  })

  test('any JSON gets a yes or a no, never a throw', () => {
    for (const { name, schema } of schemas) {
      const validate = validatorOf(schema)
      fc.assert(
        fc.property(hostileValue, (value) => typeof validate(structuredClone(value)) === 'boolean'),
        { ...options, reporter: reportFor(name) },
      )
    }
  })

  const generatable = schemas.flatMap(({ name, schema }) => {
    const arbitrary = arbitraryOf(schema)
    return arbitrary === undefined ? [] : [{ name, schema, arbitrary }]
  })

  test(`values made from the schema are accepted (${generatable.length} schemas)`, () => {
    assert.ok(generatable.length > schemas.length / 2, 'most schemas can be generated from')
    for (const { name, schema, arbitrary } of generatable) {
      const validate = validatorOf(schema)
      fc.assert(
        fc.property(arbitrary, (value) => validate(value)),
        { ...options, reporter: reportFor(name) },
      )
    }
  })

  test('a property of the wrong type, or a required one missing, is refused', () => {
    const wrongValues: unknown[] = ['text', 1.5, 7, true, null, [], {}]
    let probed = 0
    for (const { name, schema, arbitrary } of generatable) {
      if (schema.type !== 'object' || schema.properties === undefined) continue
      const validate = validatorOf(schema)
      const fields = Object.entries(schema.properties).flatMap(([field, property]) => {
        const admitted = typesAdmitted(property)
        if (admitted === undefined) return []
        const wrong = wrongValues.filter((value) =>
          jsonTypesOf(value).every((type) => !admitted.has(type)),
        )
        return wrong.length === 0 ? [] : [{ field, wrong }]
      })
      if (fields.length === 0) continue
      probed += 1
      fc.assert(
        fc.property(
          arbitrary,
          fc.constantFrom(...fields),
          fc.nat(),
          (value, { field, wrong }, pick) => {
            const broken = { ...(value as Record<string, unknown>) }
            broken[field] = wrong[pick % wrong.length]
            assert.equal(validate(broken), false, `${name}.${field} took a wrong type`)
            if (schema.required?.includes(field)) {
              const without = Object.fromEntries(
                Object.entries(value as Record<string, unknown>).filter(([key]) => key !== field),
              )
              assert.equal(validate(without), false, `${name} took a body without ${field}`)
            }
          },
        ),
        { ...options, reporter: reportFor(name) },
      )
    }
    assert.ok(probed > 20, `${probed} object schemas probed`)
  })
})

/** fast-check's report, with the schema it was about. */
function reportFor(name: string) {
  return (details: fc.RunDetails<unknown>) => {
    if (details.failed) {
      throw new Error(`${name}: ${fc.defaultReportMessage(details)}`)
    }
  }
}
