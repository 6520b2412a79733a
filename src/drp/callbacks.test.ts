import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { readArchive } from '../rights/testing/archive.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { callbackBackoffMs, runDrpCallbacks } from './callbacks.js'
import type { DrpDeps } from './drp.deps.js'
import { makeTestAgent, registerAndPair } from './testing/agent.js'

/**
 * Status callbacks (DRP §2.03) end to end: a real HTTP server in the test plays the
 * agent's callback endpoint, registered as a recipient in the workspace's sub-processor
 * registry; the job delivers through the instance's transfer guard as `serve` wires it,
 * and the manual clock moves through the backoff.
 */

interface Received {
  path: string
  contentType: string | undefined
  body: {
    request_id: string
    agent_request_id?: string
    status: string
    reason?: string
    expected_by?: string
    processing_details?: string
    results_url?: string
    expires_at?: string
  }
}

interface CallbackServer {
  base: string
  received: Received[]
  /** The status the next callbacks are answered with. */
  answerWith(status: number): void
  close(): Promise<void>
}

async function startCallbackServer(): Promise<CallbackServer> {
  const received: Received[] = []
  let answer = 200
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      })
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ignored by the sender')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    answerWith: (status) => {
      answer = status
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const pat = { email: 'pat.callback@example.com', name: 'Pat Callback' }

for (const dialect of testDialects) {
  describe(`status callbacks [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let server: CallbackServer
    let token = ''
    let drp: DrpDeps
    let counter = 0
    const agent = makeTestAgent('AGENT_CALLBACK')

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-03-02T09:00:00Z' })
      tenant = await createTenant(harness, 'Callback Co')
      token = await registerAndPair(harness, agent, tenant)
      server = await startCallbackServer()
      drp = harness.modules.drp
      // The agent's callback host is a recipient the workspace registered, with its
      // agreement: the transfer guard lets the callbacks through to it and nowhere else.
      const recipient = await harness.app.inject({
        method: 'POST',
        url: '/v1/subprocessors',
        headers: bearer(tenant.secretKey),
        payload: {
          name: 'Callback Agent GmbH',
          service: 'Authorised agent under the Data Rights Protocol',
          dataCategories: ['identifiers'],
          country: 'DE',
          endpoints: ['127.0.0.1'],
          dpa: { signedOn: '2026-01-15', reference: 'DRP system rules, agent agreement 7' },
          transferMechanism: { type: 'none' },
        },
      })
      assert.equal(recipient.statusCode, 201, recipient.body)
      const contact = await harness.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: bearer(tenant.secretKey),
        payload: { email: pat.email, name: pat.name },
      })
      assert.equal(contact.statusCode, 201, contact.body)
    })
    after(async () => {
      await server.close()
      await harness.close()
    })

    async function file(
      exercise: string,
      host = '127.0.0.1',
    ): Promise<{ requestId: string; rightsId: string }> {
      counter += 1
      const response = await harness.app.inject({
        method: 'POST',
        url: '/v1/data-rights-request',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        payload: agent.sign({
          ...agent.envelope(tenant.workspaceId, harness.clock.now()),
          'agent-request-id': `cb-${counter}`,
          exercise,
          regime: 'gdpr',
          email: pat.email,
          email_verified: true,
          status_callback: `${server.base.replace('127.0.0.1', host)}/drp/status?for=cb-${counter}`,
        }),
      })
      assert.equal(response.statusCode, 200, response.body)
      const requestId = response.json<{ request_id: string }>().request_id
      const row = await harness.storage.db
        .selectFrom('drp_requests')
        .select('rights_request_id')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow()
      assert.ok(row.rights_request_id)
      return { requestId, rightsId: row.rights_request_id }
    }

    function operator(action: string, rightsId: string, payload: object) {
      return harness.app.inject({
        method: 'POST',
        url: `/v1/rights/requests/${rightsId}/${action}`,
        headers: bearer(tenant.secretKey),
        payload,
      })
    }

    const callbacksFor = (requestId: string) =>
      server.received.filter((item) => item.body.request_id === requestId)

    test('after an operator fulfils an access request, the callback gets fulfilled with a results_url that downloads the export', async () => {
      const { requestId, rightsId } = await file('access')
      assert.match(await runDrpCallbacks(drp), /delivered 0/)
      assert.equal(
        callbacksFor(requestId).length,
        0,
        'the agent learnt the first state from the answer',
      )

      // Policy off (the default): an operator confirms the person by hand, and the rights
      // flow answers the access request at once.
      const verified = await operator('verify', rightsId, { reason: 'Checked a document' })
      assert.equal(verified.statusCode, 200, verified.body)
      assert.equal(verified.json<{ status: string }>().status, 'completed')

      assert.match(await runDrpCallbacks(drp), /delivered 1/)
      const [callback] = callbacksFor(requestId)
      assert.ok(callback)
      assert.match(callback.contentType ?? '', /^application\/json/)
      assert.equal(callback.path, `/drp/status?for=cb-${counter}`)
      assert.equal(callback.body.status, 'fulfilled')
      assert.equal(callback.body.agent_request_id, `cb-${counter}`)
      const resultsUrl = callback.body.results_url ?? ''
      assert.match(
        resultsUrl,
        /^https:\/\/custodian\.test\/v1\/rights\/exports\/[A-Za-z0-9_-]{43}$/,
      )
      assert.ok(callback.body.expires_at)

      const download = await harness.app.inject({ url: new URL(resultsUrl).pathname })
      assert.equal(download.statusCode, 200)
      assert.equal(download.headers['content-type'], 'application/zip')
      const entries = await readArchive(download.rawPayload)
      assert.ok(entries.some((entry) => entry.name === 'manifest.json'))
      const text = entries.map((entry) => entry.text).join('\n')
      assert.ok(text.includes(pat.email) && text.includes(pat.name), 'the person’s data')

      const delivered = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'drp_callback.delivered',
      })
      assert.deepEqual(delivered.entries[0]?.details, { status: 'fulfilled', attempt: 1 })
      assert.match(await runDrpCallbacks(drp), /delivered 0/, 'delivered once')
      assert.equal(callbacksFor(requestId).length, 1)
    })

    test('a change the agent did not cause is pushed: verification, then an extension', async () => {
      const { requestId, rightsId } = await file('deletion')
      assert.equal(
        (await operator('verify', rightsId, { reason: 'Known customer' })).statusCode,
        200,
      )
      await runDrpCallbacks(drp)
      const [verified] = callbacksFor(requestId)
      assert.equal(verified?.body.status, 'in_progress')
      assert.equal(verified.body.reason, undefined, 'no longer waiting for the person')

      const extended = await operator('extend', rightsId, { reason: 'Many systems to search' })
      assert.equal(extended.statusCode, 200, extended.body)
      await runDrpCallbacks(drp)
      const latest = callbacksFor(requestId).at(-1)
      assert.equal(callbacksFor(requestId).length, 2)
      assert.equal(
        latest?.body.expected_by,
        extended.json<{ extendedDueAt: string }>().extendedDueAt,
      )
      assert.match(latest.body.processing_details ?? '', /extended/)
      assert.ok(
        !(latest.body.processing_details ?? '').includes('Many systems'),
        'reasons stay sealed',
      )
    })

    test('the transfer guard refuses a recipient nobody registered: nothing leaves', async () => {
      const { requestId, rightsId } = await file('restriction', 'localhost')
      const rejected = await operator('reject', rightsId, { reason: 'x', article: 'art-18-1' })
      assert.equal(rejected.statusCode, 200, rejected.body)
      assert.match(await runDrpCallbacks(drp), /failed 1/)
      assert.equal(callbacksFor(requestId).length, 0, 'nothing left the instance')
      const failed = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'drp_callback.failed',
      })
      assert.deepEqual(failed.entries[0]?.details, {
        status: 'denied',
        attempt: 1,
        why: 'transfer_refused',
        retry: true,
      })
      const guard = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'transfer.refused',
      })
      assert.equal(guard.entries[0]?.details?.kind, 'webhook', 'the guard audited its refusal')
      // Given up in the end like any failure; the agent may still ask for the status.
      for (const wait of callbackBackoffMs) {
        harness.clock.advance(wait)
        await runDrpCallbacks(drp)
      }
      assert.equal(callbacksFor(requestId).length, 0)
    })

    test('failures retry with backoff until delivered', async () => {
      const { requestId, rightsId } = await file('restriction')
      const rejected = await operator('reject', rightsId, {
        reason: 'Fifth identical request this month',
        article: 'art-12-5',
      })
      assert.equal(rejected.statusCode, 200, rejected.body)

      server.answerWith(503)
      assert.match(await runDrpCallbacks(drp), /failed 1/)
      assert.equal(callbacksFor(requestId).length, 1, 'the agent answered 503')
      assert.match(await runDrpCallbacks(drp), /failed 0/, 'not due before its backoff')
      harness.clock.advance(callbackBackoffMs[0] - 1)
      assert.match(await runDrpCallbacks(drp), /failed 0/)
      harness.clock.advance(1)
      assert.match(await runDrpCallbacks(drp), /failed 1/)
      assert.equal(callbacksFor(requestId).length, 2)
      harness.clock.advance(callbackBackoffMs[1])
      server.answerWith(200)
      assert.match(await runDrpCallbacks(drp), /delivered 1/)
      assert.equal(callbacksFor(requestId).length, 3)
      const last = callbacksFor(requestId).at(-1)
      assert.equal(last?.body.status, 'denied')
      assert.equal(last.body.reason, 'other')
      assert.match(last.body.processing_details ?? '', /Art\. 12\(5\)/)
      const delivered = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'drp_callback.delivered',
      })
      assert.deepEqual(delivered.entries[0]?.details, { status: 'denied', attempt: 3 })
    })

    test('a callback is given up after its last attempt', async () => {
      const { requestId, rightsId } = await file('objection')
      assert.equal(
        (await operator('reject', rightsId, { reason: 'x', article: 'art-21-1' })).statusCode,
        200,
      )
      server.answerWith(500)
      await runDrpCallbacks(drp)
      for (const wait of callbackBackoffMs) {
        harness.clock.advance(wait)
        await runDrpCallbacks(drp)
      }
      assert.equal(callbacksFor(requestId).length, callbackBackoffMs.length + 1)
      harness.clock.advance(7 * 86_400_000)
      await runDrpCallbacks(drp)
      assert.equal(callbacksFor(requestId).length, callbackBackoffMs.length + 1, 'no more attempts')
      const failed = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'drp_callback.failed',
      })
      assert.deepEqual(failed.entries[0]?.details, {
        status: 'denied',
        attempt: callbackBackoffMs.length + 1,
        why: 'http_500',
        retry: false,
      })
      server.answerWith(200)
    })
  })
}
