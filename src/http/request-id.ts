import { scrubText } from '../logger.js'

// The same shape the HTTP app accepts for a caller's x-request-id.
const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * A request id as the audit log may keep it, or null when it is not plain or looks
 * personal (a caller may send an IP address or an email as its `x-request-id`).
 */
export function auditableRequestId(requestId: string): string | null {
  return requestIdPattern.test(requestId) && scrubText(requestId) === requestId ? requestId : null
}
