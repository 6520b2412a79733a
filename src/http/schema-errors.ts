import type { FieldError } from '../errors.js'

/**
 * A TypeBox validator's complaints about one item of a batch (checked on its own, so
 * one bad item does not fail the rest), one per field and message, without the noise
 * of internals, at most ten.
 */
export function schemaFieldErrors(
  validator: { Errors(value: unknown): Iterable<TypeBoxError> },
  raw: unknown,
): FieldError[] {
  const seen = new Map<string, FieldError>()
  for (const error of validator.Errors(raw)) {
    // `additionalProperties: false` also reports the property's own `false` schema.
    if (error.keyword === 'boolean') continue
    const fieldError = fieldErrorOf(error)
    seen.set(`${fieldError.field}\n${fieldError.message}`, fieldError)
  }
  return [...seen.values()].slice(0, 10)
}

interface TypeBoxError {
  keyword: string
  instancePath: string
  params: object
  message: string
}

function fieldErrorOf(error: TypeBoxError): FieldError {
  const path = error.instancePath.split('/').filter(Boolean)
  const params = error.params as { requiredProperties?: unknown; additionalProperties?: unknown }
  if (error.keyword === 'required' && Array.isArray(params.requiredProperties)) {
    return {
      in: 'body',
      field: [...path, String(params.requiredProperties[0])].join('.'),
      message: 'is required',
    }
  }
  if (error.keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
    return {
      in: 'body',
      field: [...path, String(params.additionalProperties[0])].join('.'),
      message: 'is not a known field',
    }
  }
  return { in: 'body', field: path.join('.'), message: error.message }
}
