import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../src/identity/testing/fixtures.js'
import { buildTestApp, type TestApp } from '../src/testing/test-app.js'
import { contractBreaches, type Operation, operationsOf, send } from './fuzz/contract.js'
import { makeFuzzer, type Mutation } from './fuzz/requests.js'

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
