import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../src/identity/testing/fixtures.js'
import { buildTestApp, type TestApp } from '../src/testing/test-app.js'
import { type FuzzOperation, type JsonSchema, makeFuzzer, type Mutation } from './fuzz/requests.js'

/**
 * A seeded, bounded fuzz of every operation in the OpenAPI document, over a real
 * socket, with no key, the public key and the secret key: values made from each
 * operation's own schemas, then broken in the ways hostile clients break them (JSON
 * nested thousands deep, numbers out of double range, bad percent-encoding, oversized
 * path segments and headers, unknown keys built to be reflected, wrong types, broken
 * JSON). Whatever comes back must not be a 5xx; every error must be an RFC 9457
 * problem with the security headers and a request id, and no error may quote the
 * marker planted in what was sent. `FUZZ_SEED=n` replays a run; `FUZZ_ROUNDS` widens it.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261206)
const rounds = Number(process.env.FUZZ_ROUNDS ?? 6)

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
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

type Operation = FuzzOperation

function operationsOf(document: {
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

describe(`request fuzz (seed ${seed}, ${rounds} rounds)`, () => {
  let harness: TestApp
  let tenant: TenantFixture
  let port = 0
  let operations: Operation[] = []

  before(async () => {
    harness = await buildTestApp()
    tenant = await createTenant(harness, 'Fuzz Co')
    await harness.app.listen({ port: 0, host: '127.0.0.1' })
    const address = harness.app.server.address()
    port = typeof address === 'object' && address !== null ? address.port : 0
    const document = await send(port, 'GET', '/v1/openapi.json', {}, undefined)
    operations = operationsOf(JSON.parse(document.body) as Parameters<typeof operationsOf>[0])
  })
  after(async () => harness.close())

  test('no request answers 5xx, every error keeps the contract and quotes nothing sent', async () => {
    assert.ok(operations.length > 40, 'the OpenAPI document lists the operations')
    const fuzzer = makeFuzzer(seed)
    const credentials: [string, Record<string, string>][] = [
      ['no key', {}],
      ['public key', bearer(tenant.publicKey)],
      ['secret key', bearer(tenant.secretKey)],
    ]
    const failures: string[] = []
    const statuses = new Map<number, number>()
    let sent = 0
    for (let round = 0; round < rounds; round += 1) {
      for (const operation of operations) {
        for (const [credential, authorization] of credentials) {
          const mutation: Mutation = fuzzer.pickMutation()
          const built = fuzzer.build(operation, mutation)
          const headers: Record<string, string> = { ...authorization, ...built.headers }
          if (built.body !== undefined) headers['content-type'] ??= 'application/json'
          const answer = await send(port, operation.method, built.path, headers, built.body)
          sent += 1
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
          const where = `${operation.method} ${operation.path} [${credential}, ${mutation}]`
          failures.push(
            ...contractBreaches(answer, built.marker, operation.path).map(
              (breach) => `${where}: ${breach}`,
            ),
          )
        }
      }
    }
    assert.ok(sent >= operations.length * 3 * rounds)
    // The fuzz must reach the handlers, not only the gates: some requests succeed.
    const succeeded = [...statuses].filter(([status]) => status < 300)
    assert.ok(
      succeeded.reduce((sum, [, count]) => sum + count, 0) > sent / 20,
      String([...statuses]),
    )
    console.log(`${sent} requests (seed ${seed}):`, Object.fromEntries([...statuses].sort()))
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} breaches (seed ${seed})`)
  })
})

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

function contractBreaches(answer: Answer, marker: string, path: string): string[] {
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
