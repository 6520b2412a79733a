/**
 * HTTP: the error contract (problem+json, the framework's and Node's own refusals), the
 * bounds every JSON body is checked against, validation, security headers, the OpenAPI
 * document and its shared components. Other modules import only from here.
 */
export { component } from './component.js'
export { EmailSchema } from './email-format.js'
export { parseJsonBody, registerJsonBodies } from './json-body.js'
export { findJsonFlaw, jsonFlawFieldError } from './json-bounds.js'
export { trackRouteMethods } from './method-routing.js'
export { registerOpenApi } from './openapi.js'
export { ItemProblemSchema } from './problem-schema.js'
export {
  itemProblem,
  problemTypeUri,
  sendProblem,
  toAppError,
  type ItemProblem,
} from './problem.js'
export { answerClientError, answerFrameworkError } from './raw-errors.js'
export { auditableRequestId } from './request-id.js'
export { reportItem } from './schema-errors.js'
export { securityHeaders } from './security-headers.js'
export { isTimeZoneName, timeZoneSchema } from './time-zone-format.js'
export { createValidatorCompiler, serializerOptions } from './validation.js'
export { escapeHtml, html, type HtmlValue, SafeHtml } from './safe-html.js'
