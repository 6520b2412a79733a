import type { FastifyRequest } from 'fastify'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { findJsonFlaw, type JsonFinding, jsonFlawFieldError } from './json-bounds.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route checks each item of its batch against the JSON bounds on its own, so
     * that one bad item is rejected alone with its index while the rest land; the body
     * parser then leaves the items to it.
     */
    checksItemsAlone?: boolean
  }
}

/**
 * Every JSON body is parsed here, by one parser that replaces the framework's: parse,
 * then walk the value once, iteratively, for the bounds in json-bounds.ts, before any
 * validator or handler sees it. A flaw is a 400 naming where it is, never what it is.
 */
export function registerJsonBodies(app: App): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, parseJsonBody(request, String(body)))
    } catch (error) {
      done(error instanceof Error ? error : new Error('unparseable body'), undefined)
    }
  })
}

/** Parses a request body as bounded JSON, or throws a problem that quotes none of it. */
export function parseJsonBody(request: FastifyRequest, text: string): unknown {
  if (text.trim() === '') {
    throw new AppError('invalid_request', 'The body is empty but the Content-Type says JSON')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new AppError('invalid_request', 'The body is not valid JSON')
  }
  if (request.routeOptions.config.checksItemsAlone === true) return value
  const finding = findJsonFlaw(value)
  if (finding !== undefined) throw jsonFlawError(finding)
  return value
}

export function jsonFlawError(finding: JsonFinding): AppError {
  const fieldError = jsonFlawFieldError(finding)
  return new AppError('invalid_request', `A value in the body ${fieldError.message}`, {
    errors: [fieldError],
  })
}
