import { request as httpRequest } from 'node:http'
import type { FuzzOperation, JsonSchema } from './requests.js'

/**
 * What every answer to a fuzzed request must keep, whoever asks and whatever they send:
 * no 5xx, the security headers and a request id, and every error an RFC 9457 problem
 * (the Data Rights Protocol's own shape on its endpoints) that quotes nothing sent.
 */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

export type Operation = FuzzOperation

export function operationsOf(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>
}): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const requestBody = operation.requestBody as
        { content?: Record<string, { schema?: JsonSchema }> } | undefined
      const content = requestBody?.content
      return {
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []) as Operation['parameters'],
        body: content?.['application/json']?.schema,
      }
    }),
  )
}

/**
 * The Data Rights Protocol's endpoints answer their errors in the protocol's own shape
 * (§3.06: `{code, message, fatal?}` as application/json), and a failed key set-up with a
 * bare 403 (§2.05.1): agents written against the protocol read nothing else. What is
 * refused before any route runs (oversized headers or URL, bad encoding) is a problem.
 */
const drpPaths = /^\/v1\/(data-rights-request|agent\/)/

function isDrpError(answer: Answer, path: string): boolean {
  return (
    drpPaths.test(path) &&
    !String(answer.headers['content-type'] ?? '').startsWith('application/problem+json')
  )
}

function drpBreaches(answer: Answer, marker: string, path: string): string[] {
  if (path === '/v1/agent/{agentId}' && answer.status === 403 && answer.body === '') return []
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) {
    return [`DRP error ${answer.status} is not application/json`]
  }
  const body = JSON.parse(answer.body) as { code?: unknown; message?: unknown }
  const breaches: string[] = []
  if (body.code !== String(answer.status) || typeof body.message !== 'string') {
    breaches.push('DRP error without its code or message')
  }
  if (answer.body.includes(marker)) breaches.push('the error quotes what was sent')
  return breaches
}

export function contractBreaches(answer: Answer, marker: string, path: string): string[] {
  const breaches: string[] = []
  if (answer.status >= 500) breaches.push(`answered ${answer.status}: ${answer.body.slice(0, 300)}`)
  if (answer.headers['x-content-type-options'] !== 'nosniff') breaches.push('no nosniff header')
  if (typeof answer.headers['x-request-id'] !== 'string') breaches.push('no x-request-id')
  if (!String(answer.headers['content-security-policy'] ?? '').includes("default-src 'none'")) {
    if (!String(answer.headers['content-type'] ?? '').startsWith('text/html'))
      breaches.push('no CSP')
  }
  if (answer.status < 400) return breaches
  if (isDrpError(answer, path)) return [...breaches, ...drpBreaches(answer, marker, path)]
  if (!String(answer.headers['content-type'] ?? '').startsWith('application/problem+json')) {
    breaches.push(`error ${answer.status} is not problem+json`)
    return breaches
  }
  const problem = JSON.parse(answer.body) as { detail?: unknown; title?: unknown; errors?: unknown }
  if (typeof problem.detail !== 'string' || typeof problem.title !== 'string') {
    breaches.push('problem without title or detail')
  }
  if (answer.body.includes(marker)) breaches.push('the error quotes what was sent')
  return breaches
}
