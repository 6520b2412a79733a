import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode, problemCatalogue } from '../errors.js'
import type { Logger } from '../logger.js'
import { problemContentType, problemTypeUri, sendProblem } from './problem.js'

/**
 * The answers the framework and Node give before any route or hook runs, made to keep
 * the same contract as every other response: an RFC 9457 problem, the security
 * headers and a request id, and nothing of what the client sent (the framework's own
 * messages quote the raw path back).
 */

/** Fastify's `frameworkErrors`: a URL it cannot decode, a path parameter too long. */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  headers: Readonly<Record<string, string>>,
): void {
  void reply.headers(headers).header('x-request-id', request.id)
  const known = frameworkProblems[error.code]
  const appError = known
    ? new AppError(known.code, known.detail, { cause: error })
    : new AppError('invalid_request', 'The request could not be understood', { cause: error })
  void sendProblem(appError, request, reply)
}

const frameworkProblems: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_BAD_URL: { code: 'invalid_request', detail: 'The URL is not validly percent-encoded' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'uri_too_long',
    detail: 'A path segment is longer than this server accepts',
  },
}

const clientErrorProblems: Record<string, { code: ErrorCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: 'headers_too_large',
    detail: 'The request line and headers are larger than this server accepts (16 KB)',
  },
  HPE_URI_OVERFLOW: { code: 'uri_too_long', detail: 'The URL is longer than this server accepts' },
}

/**
 * Node's `clientError`: malformed HTTP, headers or a URL over the limit, a timeout. The
 * socket has no request object, so the answer is written by hand, then the connection
 * is closed, as HTTP requires after a framing error.
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Socket,
  headers: Readonly<Record<string, string>>,
  logger: Logger,
): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const known = error.code ? clientErrorProblems[error.code] : undefined
  const code: ErrorCode =
    known?.code ??
    (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'invalid_request')
  const detail =
    known?.detail ??
    (code === 'request_timeout'
      ? 'The request took too long to arrive'
      : 'The request is not valid HTTP')
  const requestId = randomUUID()
  logger.info(
    { requestId, code: error.code ?? 'unknown', status: problemCatalogue[code].status },
    'malformed request refused',
  )
  const body = JSON.stringify({
    type: problemTypeUri(code),
    title: problemCatalogue[code].title,
    status: problemCatalogue[code].status,
    detail,
    instance: `urn:request:${requestId}`,
    code,
    requestId,
  })
  const lines = [
    `HTTP/1.1 ${problemCatalogue[code].status} ${problemCatalogue[code].title}`,
    `content-type: ${problemContentType}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'connection: close',
  ]
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`)
}
