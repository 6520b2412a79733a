import { AppError } from '../errors.js'
import type { IdentifierKind } from './subjects.table.js'

/**
 * How callers name a data subject: one of its identifiers (the browser's anonymous id,
 * the customer's external id, an email) or, for a caller that already resolved it, the
 * subject id itself. Moved here from the consent module (issue 16): every module names
 * a person the same way, and this module owns what the names point to.
 */
export type SubjectIdentifier = { anonymousId: string } | { externalId: string } | { email: string }

export type SubjectRef = SubjectIdentifier | { subjectId: string }

/** An identifier reduced to what the database sees: its kind and the value to index. */
export interface IdentifierValue {
  kind: IdentifierKind
  value: string
}

const maxLength: Readonly<Record<IdentifierKind, number>> = {
  anonymous_id: 200,
  external_id: 200,
  email: 320,
}

/**
 * The one identifier of a request body or query, refusing none or several: a consent,
 * say, belongs to exactly one subject, and guessing which identifier was meant could record
 * it against the wrong person.
 */
export function identifierOf(
  input: {
    anonymousId?: string | undefined
    externalId?: string | undefined
    email?: string | undefined
  },
  where: 'body' | 'querystring',
): SubjectIdentifier {
  const given = (['anonymousId', 'externalId', 'email'] as const).filter(
    (field) => input[field] !== undefined,
  )
  const field = given[0]
  if (given.length !== 1 || field === undefined) {
    throw new AppError(
      'invalid_request',
      'Name the data subject by exactly one of anonymousId, externalId or email',
      {
        errors: [
          {
            in: where,
            field: given.join(',') || 'anonymousId',
            message: 'give exactly one identifier',
          },
        ],
      },
    )
  }
  const value = input[field] ?? ''
  if (value.trim() === '') {
    throw new AppError('invalid_request', `${field} is empty`, {
      errors: [{ in: where, field, message: 'must not be empty' }],
    })
  }
  if (field === 'anonymousId') return { anonymousId: value }
  if (field === 'externalId') return { externalId: value }
  return { email: value }
}

export function identifierValueOf(identifier: SubjectIdentifier): IdentifierValue {
  const { kind, value } =
    'anonymousId' in identifier
      ? { kind: 'anonymous_id' as const, value: identifier.anonymousId }
      : 'externalId' in identifier
        ? { kind: 'external_id' as const, value: identifier.externalId }
        : { kind: 'email' as const, value: identifier.email }
  if (value.trim() === '' || value.length > maxLength[kind]) {
    throw new AppError(
      'invalid_request',
      `The ${kind.replace('_', ' ')} must have 1 to ${maxLength[kind]} characters`,
    )
  }
  return { kind, value }
}

export function isSubjectId(ref: SubjectRef): ref is { subjectId: string } {
  return 'subjectId' in ref
}
