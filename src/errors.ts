/**
 * The one error type the application throws on purpose. Every `code` maps to one HTTP
 * status in `problemCatalogue`, and `src/http/problem.ts` turns it into an RFC 9457
 * problem document in one place. Messages must never carry personal data: they are
 * shown to API clients and written to logs.
 */
export const problemCatalogue = {
  invalid_request: { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'This action is not allowed' },
  two_factor_required: { status: 403, title: 'Two-factor authentication is required first' },
  consent_denied: { status: 403, title: 'No lawful basis to process this data' },
  transfer_refused: { status: 403, title: 'The transfer guard refused this transfer' },
  not_found: { status: 404, title: 'The resource does not exist' },
  method_not_allowed: { status: 405, title: 'The method is not allowed on this resource' },
  not_acceptable: { status: 406, title: 'No acceptable representation' },
  request_timeout: { status: 408, title: 'The request took too long to arrive' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  uri_too_long: { status: 414, title: 'The URL is too long' },
  unsupported_media_type: { status: 415, title: 'The request body has an unsupported media type' },
  // A sealed value of an erased (crypto-shredded) data subject: gone for good, Art. 17.
  subject_erased: { status: 410, title: 'The data subject was erased' },
  rate_limited: { status: 429, title: 'Too many requests' },
  headers_too_large: { status: 431, title: 'The request headers are too large' },
  internal: { status: 500, title: 'Internal error' },
  // A sealed value that was altered, or copied to another row, column or workspace.
  sealed_value_invalid: { status: 500, title: 'A sealed value failed its integrity check' },
  // The configured master key is not the one this database's keys were made with.
  master_key_mismatch: { status: 500, title: 'The master key does not match this database' },
  // The mail server refused the message for good (an SMTP 5xx reply): sending it again
  // gets the same answer. The message names the reply code, never the recipient.
  mail_rejected: { status: 502, title: 'The mail server refused the message' },
  unavailable: { status: 503, title: 'The service is unavailable' },
  // The mail could not be handed over now (server unreachable, TLS or login failed, a 4xx
  // reply, the outbox not writable): it may go through on a later try.
  mail_unavailable: { status: 503, title: 'Mail could not be sent' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof problemCatalogue

/** One failing field of a request, as reported in a problem's `errors` member. */
export interface FieldError {
  /** Where the field is: `body`, `querystring`, `params` or `headers`. */
  in: string
  /** Dotted path to the field inside that part, e.g. `screen.width`; empty for the whole part. */
  field: string
  message: string
}

export interface AppErrorOptions {
  errors?: FieldError[]
  /** Extra headers for the response, such as `Allow` for 405 or `Retry-After` for 429. */
  headers?: Record<string, string>
  cause?: unknown
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly errors: FieldError[] | undefined
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.status = problemCatalogue[code].status
    this.errors = options.errors
    this.headers = options.headers ?? {}
  }
}

/** Whether `code` is one of the catalogue's codes, e.g. in a message from a worker thread. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(problemCatalogue, code)
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}
