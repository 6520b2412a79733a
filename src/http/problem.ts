import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, type FieldError, problemCatalogue } from '../errors.js'
import { reportValidation, type ValidatorError } from './schema-errors.js'

/**
 * The one place an error becomes an HTTP response: an RFC 9457 problem document.
 * Fastify's own errors (validation, body limits, media types) are translated into the
 * same shape with our own wording, because their messages may quote the request body.
 */
export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: ErrorCode
  requestId: string
  errors?: FieldError[]
}

export const problemContentType = 'application/problem+json; charset=utf-8'

/**
 * RFC 9457 problem details of one item of a batch (an event, a contact) that was
 * rejected while the rest landed: no `instance`, as the item has no URL of its own.
 */
export interface ItemProblem {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  errors?: FieldError[]
}

export function itemProblem(code: ErrorCode, detail: string, errors?: FieldError[]): ItemProblem {
  return {
    type: problemTypeUri(code),
    title: problemCatalogue[code].title,
    status: problemCatalogue[code].status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  }
}

export function problemTypeUri(code: ErrorCode): string {
  return `/problems/${code}`
}

const fastifyCodes: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    detail: 'The request body is larger than this server accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    detail: 'Send the body as application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_request',
    detail: 'The Content-Length header does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid_request',
    detail: 'The body is empty but the Content-Type says JSON',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_request', detail: 'The body is not valid JSON' },
}

/** Turns any thrown value into an AppError without leaking what it carried. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  const fastifyError = error as Partial<FastifyError> & { validation?: ValidatorError[] }
  if (Array.isArray(fastifyError.validation)) {
    const where = fastifyError.validationContext ?? 'body'
    const { errors, detail } = reportValidation(where, fastifyError.validation)
    return new AppError('invalid_request', detail, { errors, cause: error })
  }
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined
  if (known) return new AppError(known.code, known.detail, { cause: error })
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new AppError('invalid_request', 'The request could not be parsed', { cause: error })
  }
  const status = fastifyError.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = codeForStatus(status)
    return new AppError(code, problemCatalogue[code].title, { cause: error })
  }
  return new AppError('internal', 'An internal error occurred; quote the request id to support', {
    cause: error,
  })
}

function codeForStatus(status: number): ErrorCode {
  const match = (Object.keys(problemCatalogue) as ErrorCode[]).find(
    (code) => problemCatalogue[code].status === status,
  )
  return match ?? 'invalid_request'
}

export function toProblem(error: AppError, request: FastifyRequest): ProblemDocument {
  return {
    type: problemTypeUri(error.code),
    title: problemCatalogue[error.code].title,
    status: error.status,
    detail: error.message,
    instance: `urn:request:${request.id}`,
    code: error.code,
    requestId: request.id,
    ...(error.errors ? { errors: error.errors } : {}),
  }
}

export function sendProblem(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(error.status)
    .headers(error.headers)
    .type(problemContentType)
    .send(toProblem(error, request))
}
