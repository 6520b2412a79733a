import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sessionCookieName } from '../../src/identity/authenticate.js'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../../src/identity/testing/fixtures.js'
import { testDialects } from '../../src/storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../src/testing/test-app.js'
import {
  type Answer,
  contractBreaches,
  type Operation,
  operationsOf,
  send,
} from '../fuzz/contract.js'
import { makeFuzzer, mutations } from '../fuzz/requests.js'
import { longRun, reportFigure } from './long-run.js'
import { dialectSkip } from './stores.js'

/**
 * The HTTP fuzz of issue 23: every operation the OpenAPI document lists (read at run
 * time, so routes other modules add later are fuzzed too), every kind of credential
 * (none, a garbage bearer, the secret key, the public key, a revoked key, an expired
 * session, a session with and without its CSRF token, and another workspace's secret
 * key aimed at the victim workspace's real ids), every mutation of `test/fuzz/requests.ts`
 * (deep JSON, wrong types, bad encodings, invalid UTF-8, UTF-16 bodies, oversize bodies
 * and headers, SQL injection). Every answer must keep the contract (no 5xx, problem+json,
 * nothing sent quoted back), and none may carry a victim's personal data (Art. 5(1)(f),
 * 32): not the victim workspace's ever, and not the attacker workspace's own people in an
 * error or to a caller who may not read them.
 * `FUZZ_SEED=n` replays; `CUSTODIAN_LONG_TESTS=1` runs at least 10,000 requests.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261206)
const rounds = longRun ? 14 : 1

interface Credential {
  name: string
  headers: () => Record<string, string>
  /** May this caller read the attacker workspace's personal data in a 2xx answer? */
  mayReadOwnPeople: boolean
}

interface Victim {
  markers: string[]
  ids: string[]
}

/** People with unmistakable data, made through the API, and the ids of what they own. */
async function plantVictims(harness: TestApp, key: string, label: string): Promise<Victim> {
  const tag = `${label}${randomBytes(5).toString('hex')}`
  const markers = [`mail${tag}`, `Name${tag}`, `Note${tag}`, `Msg${tag}`]
  const inject = async (method: 'POST' | 'GET', url: string, payload?: object) => {
    const response = await harness.app.inject({ method, url, headers: bearer(key), payload })
    assert.ok(response.statusCode < 300, `${url}: ${response.statusCode} ${response.body}`)
    return response.json<Record<string, unknown>>()
  }
  const contact = await inject('POST', '/v1/contacts', {
    email: `${markers[0]}@example.com`,
    externalId: `ext-${tag}`,
    name: markers[1],
    attributes: { note: markers[2] },
  })
  const consent = await inject('POST', '/v1/consents', {
    email: `${markers[0]}@example.com`,
    purpose: 'marketing',
    granted: true,
  })
  const request = await inject('POST', '/v1/rights/requests', {
    type: 'access',
    subject: { email: `${markers[0]}@example.com` },
  })
  const conversation = await inject('POST', '/v1/conversations', { contactId: contact.id })
  const message = await inject('POST', `/v1/conversations/${String(conversation.id)}/messages`, {
    body: `Hello, ${markers[3]} here`,
    from: 'contact',
  })
  const ids = [contact.id, consent.receiptId, request.id, conversation.id, message.id].map(String)
  return { markers, ids }
}

for (const dialect of testDialects) {
  describe(
    `HTTP fuzz, every route and credential [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let attacker: TenantFixture
      let victimTenant: TenantFixture
      let port = 0
      let operations: Operation[] = []
      let credentials: Credential[] = []
      let victims: Victim
      let ownPeople: Victim

      before(async () => {
        harness = await buildTestApp({ dialect })
        attacker = await createTenant(harness, 'Attacker Co')
        victimTenant = await createTenant(harness, 'Victim Co')
        victims = await plantVictims(harness, victimTenant.secretKey, 'v')
        ownPeople = await plantVictims(harness, attacker.secretKey, 'o')
        credentials = await makeCredentials(harness, attacker)
        await harness.app.listen({ port: 0, host: '127.0.0.1' })
        const address = harness.app.server.address()
        port = typeof address === 'object' && address !== null ? address.port : 0
        const document = await send(port, 'GET', '/v1/openapi.json', {}, undefined)
        operations = operationsOf(JSON.parse(document.body) as Parameters<typeof operationsOf>[0])
      })
      after(async () => harness.close())

      test(`no 5xx, no broken problem, no one else's personal data (seed ${seed})`, async () => {
        assert.ok(operations.length > 80, 'the OpenAPI document lists the operations')
        const fuzzer = makeFuzzer(seed + (dialect === 'postgres' ? 1 : 0), victims.ids)
        const failures: string[] = []
        const statuses = new Map<number, number>()
        let sent = 0
        for (let round = 0; round < rounds; round += 1) {
          for (const operation of operations) {
            for (const credential of credentials) {
              // The working session must survive the run: its own logout would end it.
              if (credential.name === 'session' && operation.path === '/v1/auth/logout') continue
              const mutation = mutations[(sent + round) % mutations.length] ?? 'plausible'
              const built = fuzzer.build(operation, mutation)
              const headers: Record<string, string> = { ...credential.headers(), ...built.headers }
              if (built.body !== undefined) headers['content-type'] ??= 'application/json'
              const answer = await send(port, operation.method, built.path, headers, built.body)
              sent += 1
              statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
              const where = `${operation.method} ${operation.path} [${credential.name}, ${mutation}]`
              const breaches = [
                ...contractBreaches(answer, built.marker, operation.path),
                ...echoes(answer, credential, victims, ownPeople),
              ]
              failures.push(...breaches.map((breach) => `${where}: ${breach}`))
            }
          }
        }
        const fiveHundreds = [...statuses].filter(([status]) => status >= 500)
        reportFigure(`http-fuzz-${dialect}`, {
          seed,
          requestsFuzzed: sent,
          serverErrors: fiveHundreds.reduce((sum, [, count]) => sum + count, 0),
          breaches: failures.length,
          answered2xx: [...statuses].filter(([s]) => s < 300).reduce((sum, [, n]) => sum + n, 0),
        })
        if (longRun) assert.ok(sent >= 10_000, `${sent} requests`)
        // The fuzz must reach the handlers, not only the gates.
        assert.ok(
          (statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > sent / 30,
          String([...statuses]),
        )
        assert.deepEqual(failures.slice(0, 20), [], `${failures.length} breaches (seed ${seed})`)
      })

      test('the server still answers, and the victims are intact', async () => {
        const health = await send(port, 'GET', '/healthz', {}, undefined)
        assert.equal(health.status, 200)
        const contact = await send(
          port,
          'GET',
          `/v1/contacts/${victims.ids[0] ?? ''}`,
          bearer(victimTenant.secretKey),
          undefined,
        )
        assert.equal(contact.status, 200)
        assert.ok(contact.body.includes(victims.markers[1] ?? '-'))
      })
    },
  )
}

/** Where a victim's data turns up where it must not. */
function echoes(answer: Answer, credential: Credential, victims: Victim, own: Victim): string[] {
  const body = answer.body.toLowerCase()
  const found = (people: Victim) =>
    people.markers.some((marker) => body.includes(marker.toLowerCase()))
  if (found(victims)) return ['answered with the other workspace’s personal data']
  if (found(own) && (answer.status >= 400 || !credential.mayReadOwnPeople)) {
    return [`answered ${answer.status} with personal data to ${credential.name}`]
  }
  return []
}

async function makeCredentials(harness: TestApp, tenant: TenantFixture): Promise<Credential[]> {
  const created = await harness.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(tenant.secretKey),
    payload: { kind: 'secret', label: 'to revoke' },
  })
  const revoked = created.json<{ id: string; key: string }>()
  const revocation = await harness.app.inject({
    method: 'DELETE',
    url: `/v1/api-keys/${revoked.id}`,
    headers: bearer(tenant.secretKey),
  })
  assert.ok(revocation.statusCode < 300, revocation.body)
  const session = await signUpOperator(harness, tenant.workspaceId, 'admin')
  const expired = await signUpOperator(harness, tenant.workspaceId, 'admin')
  await harness.storage.db
    .updateTable('sessions')
    .set({ expires_at: '2001-01-01T00:00:00.000Z' })
    .where('operator_id', '=', expired.operatorId)
    .execute()
  const cookie = (value: string) => ({ cookie: `${sessionCookieName}=${value}` })
  return [
    { name: 'none', headers: () => ({}), mayReadOwnPeople: false },
    {
      name: 'garbage bearer',
      headers: () => bearer(`cus_sk_' OR 1=1 --`),
      mayReadOwnPeople: false,
    },
    { name: 'secret key', headers: () => bearer(tenant.secretKey), mayReadOwnPeople: true },
    { name: 'public key', headers: () => bearer(tenant.publicKey), mayReadOwnPeople: false },
    { name: 'revoked key', headers: () => bearer(revoked.key), mayReadOwnPeople: false },
    { name: 'expired session', headers: () => expired.headers(), mayReadOwnPeople: false },
    { name: 'session', headers: () => session.headers(), mayReadOwnPeople: true },
    // Reads need no CSRF token (they change nothing); writes without it must be refused.
    { name: 'session without CSRF', headers: () => cookie(session.cookie), mayReadOwnPeople: true },
  ]
}
