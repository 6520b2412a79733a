import type { FieldError } from '../errors.js'
import { safeFieldPath } from './json-bounds.js'

/**
 * A schema validator's complaint, as both validators report it: Ajv for route bodies,
 * query strings and parameters, TypeBox's compiler for the items of a batch.
 */
export interface ValidatorError {
  keyword: string
  instancePath?: string
  schemaPath?: string
  params?: object
  message?: string
}

export interface ValidationReport {
  errors: FieldError[]
  /** One sentence for `detail`, built from the schema only: never from what was sent. */
  detail: string
}

const maxReported = 10

/**
 * Turns validator errors into the `errors` of a problem and its `detail`, one per field
 * and message, at most ten. Field paths shown are the client's own (so a client can find
 * the field), rendered safely: a property name that is not a plain identifier shows as
 * `{name}`. The detail names fields as the schema names them (`attributes.*`), so no
 * client-chosen text ever reaches it (it is shown, logged and often displayed as HTML).
 */
export function reportValidation(
  where: string,
  validatorErrors: Iterable<ValidatorError>,
  /** How the detail names the root: the part (`body`), or nothing for a batch item. */
  rootName = where,
): ValidationReport {
  const seen = new Map<string, FieldError>()
  let detail: string | undefined
  for (const error of validatorErrors) {
    // `additionalProperties: false` also reports the property's own `false` schema.
    if (error.keyword === 'boolean') continue
    const fieldError = fieldErrorOf(where, error)
    detail ??= detailOf(rootName, error, fieldError)
    seen.set(`${fieldError.field}\n${fieldError.message}`, fieldError)
    if (seen.size >= maxReported) break
  }
  return { errors: [...seen.values()], detail: detail ?? `${rootName || 'the item'} is not valid` }
}

/** The report on one item of a batch (checked on its own, so one bad item fails alone). */
export function reportItem(
  validator: { Errors(value: unknown): Iterable<ValidatorError> },
  raw: unknown,
): ValidationReport {
  return reportValidation('body', validator.Errors(raw), '')
}

function fieldErrorOf(where: string, error: ValidatorError): FieldError {
  const path = instanceSegments(error.instancePath)
  const child = namedChild(error)
  if (child !== undefined && error.keyword === 'required') {
    return { in: where, field: safeFieldPath([...path, child]), message: 'is required' }
  }
  if (child !== undefined && error.keyword === 'additionalProperties') {
    return { in: where, field: safeFieldPath([...path, child]), message: 'is not a known field' }
  }
  return { in: where, field: safeFieldPath(path), message: error.message ?? 'is not valid' }
}

/** The property a `required` or `additionalProperties` error is about, as either validator says. */
function namedChild(error: ValidatorError): string | undefined {
  const params = (error.params ?? {}) as Record<string, unknown>
  for (const candidate of [
    params.missingProperty,
    params.additionalProperty,
    firstOf(params.requiredProperties),
    firstOf(params.additionalProperties),
  ]) {
    if (typeof candidate === 'string') return candidate
  }
  return undefined
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined
}

function instanceSegments(pointer: string | undefined): string[] {
  return (pointer ?? '')
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/**
 * The sentence for `detail`, naming the field as the schema names it (from the error's
 * schema path: declared property names, `*` for a map's keys, `[]` for an array's
 * items). A `required` error adds the missing property, which the schema declares; an
 * unknown field is not named at all.
 */
function detailOf(rootName: string, error: ValidatorError, fieldError: FieldError): string {
  const names = schemaSegments(error)
  const parent = [rootName, ...names].filter(Boolean).join('.') || 'the item'
  if (error.keyword === 'additionalProperties') return `${parent} has a field that is not known`
  const missing = error.keyword === 'required' ? namedChild(error) : undefined
  return `${missing === undefined ? parent : `${parent}.${missing}`} ${fieldError.message}`
}

function schemaSegments(error: ValidatorError): string[] {
  const segments = (error.schemaPath ?? '').replace(/^#\/?/, '').split('/').filter(Boolean)
  // Ajv ends the path with the failing keyword; TypeBox stops at the failing schema.
  if (segments.at(-1) === error.keyword) segments.pop()
  const names: string[] = []
  for (let at = 0; at < segments.length; at += 1) {
    const segment = segments[at]
    if (segment === 'properties') {
      names.push(segments[at + 1] ?? '')
      at += 1
    } else if (segment === 'patternProperties') {
      names.push('*')
      at += 1
    } else if (segment === 'additionalProperties') names.push('*')
    else if (segment === 'items') names.push('[]')
    else if (segment === 'prefixItems') {
      names.push(`[${segments[at + 1] ?? ''}]`)
      at += 1
    } else if (segment === 'anyOf' || segment === 'oneOf' || segment === 'allOf') at += 1
    else break
  }
  return names
}
