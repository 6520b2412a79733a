import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { readOutbox } from '../mail/testing/outbox.js'
import { readArchive } from '../rights/testing/archive.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { makeTestAgent, registerAndPair, type TestAgent } from './testing/agent.js'

/**
 * The Data Rights Protocol door end to end, as an authorised agent uses it: requests
 * signed with tweetnacl (not the Node crypto that verifies them), the pair-wise key
 * set-up, exercises that become rights requests, status, revoke, and every refusal
 * answered in the protocol's error shape and audited.
 */

interface Status {
  request_id: string
  agent_request_id?: string
  status: string
  reason?: string
  received_at?: string
  expected_by?: string
  processing_details?: string
  expires_at?: string
  results_url?: string
}

const pat = { email: 'pat.agentfiled@example.com', name: 'Pat Agentfiled' }

for (const dialect of testDialects) {
  describe(`the Data Rights Protocol door [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let a: TenantFixture
    let b: TenantFixture
    const agent = makeTestAgent('AGENT_ACME')
    const rival = makeTestAgent('AGENT_RIVAL')
    let token = ''
    let rivalToken = ''
    let counter = 0

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-03-02T09:00:00Z' })
      a = await createTenant(harness, 'Agent Door Co')
      b = await createTenant(harness, 'Other Door Co')
      token = await registerAndPair(harness, agent, a)
      rivalToken = await registerAndPair(harness, rival, a, 'Rival Agent')
      const contact = await harness.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: bearer(a.secretKey),
        payload: { email: pat.email, name: pat.name },
      })
      assert.equal(contact.statusCode, 201, contact.body)
    })
    after(async () => harness.close())

    const now = () => harness.clock.now()

    function send(
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      options: { token?: string; body?: string; contentType?: string } = {},
    ) {
      return harness.app.inject({
        method,
        url,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.body === undefined
            ? {}
            : { 'content-type': options.contentType ?? 'text/plain' }),
        },
        ...(options.body === undefined ? {} : { payload: options.body }),
      })
    }

    /** An exercise's claims: the envelope for workspace A, an access right for Pat. */
    function exerciseClaims(overrides: Record<string, unknown> = {}, by: TestAgent = agent) {
      counter += 1
      return {
        ...by.envelope(a.workspaceId, now()),
        'agent-request-id': `req-${counter}`,
        exercise: 'access',
        regime: 'gdpr',
        email: pat.email,
        email_verified: true,
        name: pat.name,
        ...overrides,
      }
    }

    function exercise(claims: Record<string, unknown>, as = token, by: TestAgent = agent) {
      return send('POST', '/v1/data-rights-request', { token: as, body: by.sign(claims) })
    }

    async function filed(claims: Record<string, unknown> = exerciseClaims()): Promise<Status> {
      const response = await exercise(claims)
      assert.equal(response.statusCode, 200, response.body)
      return response.json<Status>()
    }

    async function refusals(): Promise<{ why: string; endpoint: string }[]> {
      const page = await harness.audit.listEntries(a.workspaceId, {
        action: 'drp_request.refused',
        limit: 200,
      })
      return page.entries.map((entry) => ({
        why: String(entry.details?.why),
        endpoint: String(entry.details?.endpoint),
      }))
    }

    async function assertRefused(
      response: LightMyRequestResponse,
      status: number,
      why?: string,
    ): Promise<void> {
      assert.equal(response.statusCode, status, response.body)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      const body = response.json<{ code: string; message: string; fatal?: boolean }>()
      assert.equal(body.code, String(status))
      assert.equal(typeof body.message, 'string')
      assert.ok(!response.body.includes(pat.email), 'the error quotes nothing sent')
      if (why !== undefined) {
        const [latest] = await refusals()
        assert.equal(latest?.why, why, `audited as ${why}`)
      }
    }

    async function rightsRequest(id: string) {
      const response = await harness.app.inject({
        url: `/v1/rights/requests/${id}`,
        headers: bearer(a.secretKey),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<{
        id: string
        type: string
        status: string
        legalDueAt: string
        subject: unknown
        details: unknown
        notes: { kind: string; text: string }[]
        verificationMethod: string | null
      }>()
    }

    async function rightsIdOf(requestId: string): Promise<string> {
      const row = await harness.storage.db
        .selectFrom('drp_requests')
        .select('rights_request_id')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow()
      assert.ok(row.rights_request_id)
      return row.rights_request_id
    }

    describe('agents', () => {
      test('are registered per workspace with a base64 Ed25519 key, listed and removed', async () => {
        const listed = await harness.app.inject({
          url: '/v1/drp/agents',
          headers: bearer(a.secretKey),
        })
        assert.equal(listed.statusCode, 200)
        const agents = listed.json<{ data: { agentId: string; tokenIssuedAt: string | null }[] }>()
        assert.deepEqual(
          agents.data.map((item) => item.agentId),
          ['AGENT_ACME', 'AGENT_RIVAL'],
        )
        assert.ok(agents.data.every((item) => item.tokenIssuedAt !== null))
        const inB = await harness.app.inject({
          url: '/v1/drp/agents',
          headers: bearer(b.secretKey),
        })
        assert.deepEqual(inB.json(), { data: [] }, "B sees none of A's agents")

        const register = (payload: object) =>
          harness.app.inject({
            method: 'POST',
            url: '/v1/drp/agents',
            headers: bearer(a.secretKey),
            payload,
          })
        const short = Buffer.alloc(31, 7).toString('base64')
        assert.equal(
          (await register({ agentId: 'X', name: 'x', verifyKey: short })).statusCode,
          400,
        )
        const twice = await register({
          agentId: 'AGENT_ACME',
          name: 'x',
          verifyKey: agent.verifyKey,
        })
        assert.equal(twice.statusCode, 409)
        const publicKey = await harness.app.inject({
          url: '/v1/drp/agents',
          headers: bearer(a.publicKey),
        })
        assert.equal(publicKey.statusCode, 403)

        const passing = makeTestAgent('AGENT_PASSING')
        assert.equal(
          (
            await register({
              agentId: passing.agentId,
              name: 'Passing',
              verifyKey: passing.verifyKey,
            })
          ).statusCode,
          201,
        )
        const fromB = await harness.app.inject({
          method: 'DELETE',
          url: `/v1/drp/agents/${passing.agentId}`,
          headers: bearer(b.secretKey),
        })
        assert.equal(fromB.statusCode, 404, "B cannot remove A's agent")
        const removed = await harness.app.inject({
          method: 'DELETE',
          url: `/v1/drp/agents/${passing.agentId}`,
          headers: bearer(a.secretKey),
        })
        assert.equal(removed.statusCode, 204)
        const log = await harness.audit.listEntries(a.workspaceId, { action: 'drp_agent.removed' })
        assert.equal(log.entries[0]?.details?.agentId, passing.agentId)
      })

      test('the key set-up gives a token kept only as a hash, and replaces the last one', async () => {
        const fresh = makeTestAgent('AGENT_FRESH')
        const first = await registerAndPair(harness, fresh, a)
        assert.match(first, /^drp_[A-Za-z0-9_-]{43}$/)
        const info = await send('GET', `/v1/agent/${fresh.agentId}`, { token: first })
        assert.equal(info.statusCode, 200)
        assert.deepEqual(info.json(), {})
        const again = await send('POST', `/v1/agent/${fresh.agentId}`, {
          body: fresh.sign(fresh.envelope(a.workspaceId, now(), { nonce: 'second' })),
        })
        assert.equal(again.statusCode, 200, again.body)
        const second = again.json<{ 'agent-id': string; token: string }>()
        assert.equal(second['agent-id'], fresh.agentId)
        assert.notEqual(second.token, first)
        // The old token names no agent any more: refused before any workspace is known.
        await assertRefused(await send('GET', `/v1/agent/${fresh.agentId}`, { token: first }), 403)
        const stored = await dumpStore(harness.storage)
        for (const encoding of encodingsOf(second.token)) {
          assert.equal(stored.includes(encoding), false, 'the token is not stored')
        }
      })

      test('a failed key set-up is 403 with no body, whatever failed, and audited', async () => {
        const setUp = (path: string, body: string) => send('POST', `/v1/agent/${path}`, { body })
        const envelope = () => agent.envelope(a.workspaceId, now())
        const cases: [string, string, string][] = [
          ['not base64', agent.agentId, '%%%'],
          ['signed by another key', agent.agentId, rival.sign(envelope())],
          ['another agent in the path', rival.agentId, agent.sign(envelope())],
          ['an unknown agent', 'AGENT_NOBODY', agent.sign(envelope())],
          [
            'agent-id not the path',
            agent.agentId,
            agent.sign({ ...envelope(), 'agent-id': rival.agentId }),
          ],
          [
            "another workspace's business-id",
            agent.agentId,
            agent.sign({ ...envelope(), 'business-id': b.workspaceId }),
          ],
          [
            'issued in the future',
            agent.agentId,
            agent.sign({
              ...envelope(),
              'issued-at': new Date(now().getTime() + 60_000).toISOString(),
            }),
          ],
          [
            'expired',
            agent.agentId,
            agent.sign({
              ...envelope(),
              'expires-at': new Date(now().getTime() - 1).toISOString(),
            }),
          ],
          ['another version', agent.agentId, agent.sign({ ...envelope(), 'drp.version': '0.9.4' })],
        ]
        const before = (await refusals()).length
        for (const [what, path, body] of cases) {
          const response = await setUp(path, body)
          assert.equal(response.statusCode, 403, what)
          assert.equal(response.body, '', `${what}: no body`)
        }
        const replayed = agent.sign({ ...envelope(), nonce: 'set-up-twice' })
        assert.equal((await setUp(agent.agentId, replayed)).statusCode, 200)
        // The earlier token stopped; the rest of these tests use the new one.
        const again = await setUp(agent.agentId, replayed)
        assert.equal(again.statusCode, 403, 'a replayed set-up')
        assert.equal(again.body, '')
        const after = await refusals()
        const audited = after.slice(0, after.length - before)
        // Refusals before any registered key verified are platform entries, not A's.
        assert.deepEqual(audited.map((entry) => entry.why).sort(), [
          'agent_mismatch',
          'business_mismatch',
          'expired',
          'not_yet_valid',
          'replay',
          'unsupported',
        ])
        token = (
          await send('POST', `/v1/agent/${agent.agentId}`, {
            body: agent.sign(agent.envelope(a.workspaceId, now(), { nonce: 'resume' })),
          })
        ).json<{ token: string }>().token
      })

      test("the agent information is 403 for another agent's token or none", async () => {
        await assertRefused(
          await send('GET', `/v1/agent/${agent.agentId}`, { token: rivalToken }),
          403,
          'not_yours',
        )
        await assertRefused(await send('GET', `/v1/agent/${agent.agentId}`), 403)
        await assertRefused(
          await send('GET', `/v1/agent/${agent.agentId}`, { token: a.secretKey }),
          403,
        )
      })
    })

    describe('exercises', () => {
      test('an access exercise becomes an access request; the person confirms by mailed code', async () => {
        const status = await filed(exerciseClaims({ 'agent-request-id': 'acme-0001' }))
        assert.equal(status.status, 'in_progress')
        assert.equal(status.reason, 'need_user_verification')
        assert.equal(status.agent_request_id, 'acme-0001')
        assert.equal(status.received_at, '2026-03-02T09:00:00.000Z')
        const rightsId = await rightsIdOf(status.request_id)
        const request = await rightsRequest(rightsId)
        assert.equal(request.type, 'access')
        assert.equal(request.status, 'verifying', 'the agent’s word alone verifies nothing')
        assert.deepEqual(request.subject, { email: pat.email })
        assert.equal(status.expected_by, request.legalDueAt, 'expected_by is the legal due date')
        const evidence = request.notes.find((note) => note.kind === 'evidence')
        assert.match(evidence?.text ?? '', /AGENT_ACME/)
        assert.match(evidence?.text ?? '', /Email verified by the agent/)
        assert.ok(!(evidence?.text ?? '').includes(pat.name), 'claims are noted, not their values')
        const mail = (await readOutbox(harness.outbox))
          .filter((item) => item.to.includes(pat.email))
          .at(-1)
        assert.match(mail?.text ?? '', /\b\d{6}\b/, 'a code went to the person')

        const read = await send('GET', `/v1/data-rights-request/${status.request_id}`, { token })
        assert.equal(read.statusCode, 200)
        assert.deepEqual(read.json(), status)
        const received = await harness.audit.listEntries(a.workspaceId, {
          action: 'drp_request.received',
        })
        assert.deepEqual(received.entries[0]?.details, {
          exercise: 'access',
          regime: 'gdpr',
          type: 'access',
          verifiedByAgent: false,
        })
      })

      test('the exercise path takes a trailing slash too', async () => {
        const response = await send('POST', '/v1/data-rights-request/', {
          token,
          body: agent.sign(exerciseClaims({ exercise: 'deletion', regime: 'ccpa' })),
        })
        assert.equal(response.statusCode, 200, response.body)
        const request = await rightsRequest(await rightsIdOf(response.json<Status>().request_id))
        assert.equal(request.type, 'erasure', 'a DRP deletion is an erasure')
      })

      test('the GDPR profile carries the other rights, with their details', async () => {
        const rectify = await filed(
          exerciseClaims({
            exercise: 'rectification',
            'gdpr.changes': { name: 'Pat Corrected' },
            'gdpr.message': 'My name is misspelt',
          }),
        )
        const rectification = await rightsRequest(await rightsIdOf(rectify.request_id))
        assert.equal(rectification.type, 'rectification')
        assert.deepEqual(rectification.details, {
          message: 'My name is misspelt',
          changes: { name: 'Pat Corrected' },
        })
        for (const [right, type] of [
          ['restriction', 'restriction'],
          ['objection', 'objection'],
          ['portability', 'portability'],
          ['automated-decision', 'automated-decision'],
        ]) {
          const status = await filed(exerciseClaims({ exercise: right }))
          assert.equal((await rightsRequest(await rightsIdOf(status.request_id))).type, type)
        }
        const outside = await exercise(exerciseClaims({ exercise: 'restriction', regime: 'ccpa' }))
        await assertRefused(outside, 400, 'unsupported')
        assert.equal(outside.json<{ fatal?: boolean }>().fatal, true)
      })

      test('a sale opt-out is an objection to the direct-marketing purposes, and only those', async () => {
        const status = await filed(exerciseClaims({ exercise: 'sale:opt-out', regime: 'ccpa' }))
        const request = await rightsRequest(await rightsIdOf(status.request_id))
        assert.equal(request.type, 'objection')
        const { purposes } = request.details as { purposes: string[] }
        assert.deepEqual([...purposes].sort(), ['marketing', 'profiling'])
      })

      test('the status is 403 for a request of another agent or none', async () => {
        const status = await filed()
        await assertRefused(
          await send('GET', `/v1/data-rights-request/${status.request_id}`, { token: rivalToken }),
          403,
          'not_yours',
        )
        await assertRefused(
          await send('GET', '/v1/data-rights-request/0190f2c0-0000-7000-8000-000000000000', {
            token,
          }),
          403,
          'not_yours',
        )
        await assertRefused(
          await send('GET', `/v1/data-rights-request/${status.request_id}`),
          403,
          undefined,
        )
      })

      test('every refusal of an exercise, each in its order and audited', async () => {
        const valid = () => exerciseClaims()
        const inFuture = new Date(now().getTime() + 60_000).toISOString()
        const cases: [string, () => Promise<LightMyRequestResponse>, number, string][] = [
          [
            'no token',
            () => send('POST', '/v1/data-rights-request', { body: agent.sign(valid()) }),
            403,
            'no_token',
          ],
          ['unknown token', () => exercise(valid(), 'drp_unknown'), 403, 'no_token'],
          [
            'not base64',
            () => send('POST', '/v1/data-rights-request', { token, body: 'not base64!' }),
            400,
            'base64',
          ],
          ['signed by another key', () => exercise(valid(), token, rival), 403, 'signature'],
          [
            'tampered bytes',
            () => {
              const signed = Buffer.from(agent.sign(valid()), 'base64')
              signed.writeUInt8(signed.readUInt8(signed.length - 3) ^ 1, signed.length - 3)
              return send('POST', '/v1/data-rights-request', {
                token,
                body: signed.toString('base64'),
              })
            },
            403,
            'signature',
          ],
          [
            'not JSON',
            () =>
              send('POST', '/v1/data-rights-request', {
                token,
                body: agent.signBytes(Buffer.from('{nope')),
              }),
            400,
            'malformed',
          ],
          [
            "another agent's agent-id, and everything else wrong too",
            () =>
              exercise({
                ...valid(),
                'agent-id': rival.agentId,
                'business-id': b.workspaceId,
                'issued-at': inFuture,
              }),
            403,
            'agent_mismatch',
          ],
          [
            "another workspace's business-id, issued in the future",
            () => exercise({ ...valid(), 'business-id': b.workspaceId, 'issued-at': inFuture }),
            403,
            'business_mismatch',
          ],
          [
            'issued in the future',
            () => exercise({ ...valid(), 'issued-at': inFuture }),
            403,
            'not_yet_valid',
          ],
          [
            'expired',
            () =>
              exercise({ ...valid(), 'expires-at': new Date(now().getTime() - 1).toISOString() }),
            403,
            'expired',
          ],
          [
            'valid for days',
            () =>
              exercise({
                ...valid(),
                'expires-at': new Date(now().getTime() + 3 * 86_400_000).toISOString(),
              }),
            400,
            'too_long',
          ],
          [
            'another version',
            () => exercise({ ...valid(), 'drp.version': '0.9.4' }),
            400,
            'unsupported',
          ],
          [
            'an unknown right',
            () => exercise({ ...valid(), exercise: 'sale:opt-in' }),
            400,
            'unsupported',
          ],
          ['an unknown regime', () => exercise({ ...valid(), regime: 'lgpd' }), 400, 'unsupported'],
          ['no email', () => exercise({ ...valid(), email: undefined }), 400, 'malformed'],
          ['a bad email', () => exercise({ ...valid(), email: 'not-an-email' }), 400, 'malformed'],
          [
            'a callback that is no URL',
            () => exercise({ ...valid(), status_callback: 'ftp://x' }),
            400,
            'malformed',
          ],
        ]
        for (const [what, run, status, why] of cases) {
          const response = await run()
          assert.equal(response.statusCode, status, `${what}: ${response.body}`)
          await assertRefused(response, status)
          if (why !== 'no_token') {
            const [latest] = await refusals()
            assert.equal(latest?.why, why, what)
          }
        }
        // The unknown token was refused before any agent was known: a platform entry.
        const platform = await harness.storage.db
          .selectFrom('audit_entries')
          .select(['details'])
          .where('action', '=', 'drp_request.refused')
          .where('workspace_id', 'is', null)
          .execute()
        const whys = platform.map(
          (row) => (JSON.parse(row.details ?? '{}') as { why?: string }).why,
        )
        assert.ok(whys.includes('no_token') && whys.includes('unknown_token'), String(whys))

        const json = await send('POST', '/v1/data-rights-request', {
          token,
          body: JSON.stringify(valid()),
          contentType: 'application/json',
        })
        await assertRefused(json, 415)
        const huge = await send('POST', '/v1/data-rights-request', {
          token,
          body: 'A'.repeat(70_000),
        })
        await assertRefused(huge, 413)
      })

      test('the same signed bytes, or the same agent request id, are taken once', async () => {
        const claims = exerciseClaims({ 'agent-request-id': 'acme-once' })
        const body = agent.sign(claims)
        const first = await send('POST', '/v1/data-rights-request', { token, body })
        assert.equal(first.statusCode, 200)
        await assertRefused(
          await send('POST', '/v1/data-rights-request', { token, body }),
          409,
          'replay',
        )
        const again = await exercise({ ...claims, nonce: 'resigned' })
        await assertRefused(again, 409, 'duplicate')
        assert.match(
          again.json<{ message: string }>().message,
          new RegExp(first.json<Status>().request_id),
        )
        // Another agent may use the same id of its own.
        const theirs = await exercise(
          { ...exerciseClaims({}, rival), 'agent-request-id': 'acme-once' },
          rivalToken,
          rival,
        )
        assert.equal(theirs.statusCode, 200, theirs.body)
      })

      test('a workspace may name itself by a business id of its own', async () => {
        const patched = await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(a.secretKey),
          payload: { settings: { drp: { businessId: 'AGENT_DOOR_CO' } } },
        })
        assert.equal(patched.statusCode, 200, patched.body)
        const byOldId = await exercise(exerciseClaims())
        await assertRefused(byOldId, 403, 'business_mismatch')
        const byName = await exercise(exerciseClaims({ 'business-id': 'AGENT_DOOR_CO' }))
        assert.equal(byName.statusCode, 200, byName.body)
        await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(a.secretKey),
          payload: { settings: { drp: { businessId: null } } },
        })
      })
    })

    describe('revoke', () => {
      const revoke = (requestId: string, body: string, as = token) =>
        send('DELETE', `/v1/data-rights-request/${requestId}`, { token: as, body })

      test('a signed reason withdraws an open request; a replay or a second revoke is refused', async () => {
        const status = await filed()
        const body = agent.sign({ reason: "I don't want my data copied" })
        await assertRefused(await revoke(status.request_id, body, rivalToken), 403, 'not_yours')
        await assertRefused(
          await revoke(status.request_id, rival.sign({ reason: 'x' })),
          403,
          'signature',
        )
        const revoked = await revoke(status.request_id, body)
        assert.equal(revoked.statusCode, 200, revoked.body)
        assert.equal(revoked.json<Status>().status, 'revoked')
        const request = await rightsRequest(await rightsIdOf(status.request_id))
        assert.equal(request.status, 'withdrawn')
        assert.ok(request.notes.some((note) => note.kind === 'withdrawal'))
        await assertRefused(await revoke(status.request_id, body), 409, 'replay')
        await assertRefused(
          await revoke(status.request_id, agent.sign({ reason: 'again' })),
          409,
          'conflict',
        )
        // The same words for another request are another revocation.
        const other = await filed()
        assert.equal((await revoke(other.request_id, body)).statusCode, 200)
      })

      test('envelope claims in a revoke body are checked too', async () => {
        const status = await filed()
        const stale = agent.sign({
          ...agent.envelope(a.workspaceId, now()),
          'expires-at': new Date(now().getTime() - 1).toISOString(),
          reason: 'late',
        })
        await assertRefused(await revoke(status.request_id, stale), 403, 'expired')
        const elsewhere = agent.sign({ ...agent.envelope(b.workspaceId, now()), reason: 'x' })
        await assertRefused(await revoke(status.request_id, elsewhere), 403, 'business_mismatch')
      })
    })

    describe('the verification policy', () => {
      test('with drp.acceptAgentVerification, a verified email confirms the person and access is answered at once', async () => {
        const patched = await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(a.secretKey),
          payload: { settings: { drp: { acceptAgentVerification: true } } },
        })
        assert.equal(patched.statusCode, 200, patched.body)
        const unverified = await filed(exerciseClaims({ email_verified: false }))
        assert.equal(
          unverified.reason,
          'need_user_verification',
          'an unverified claim still needs the code',
        )

        const status = await filed()
        assert.equal(status.status, 'fulfilled')
        assert.ok(status.results_url?.startsWith('https://custodian.test/v1/rights/exports/'))
        assert.ok(status.expires_at)
        const request = await rightsRequest(await rightsIdOf(status.request_id))
        assert.equal(request.verificationMethod, 'filer')
        assert.ok(
          request.notes.some(
            (note) => note.kind === 'verification' && /AGENT_ACME/.test(note.text),
          ),
        )
        const download = await harness.app.inject({
          url: new URL(status.results_url ?? '').pathname,
        })
        assert.equal(download.statusCode, 200)
        assert.equal(download.headers['content-type'], 'application/zip')
        const text = (await readArchive(download.rawPayload)).map((entry) => entry.text).join('\n')
        assert.ok(text.includes(pat.email) && text.includes(pat.name))
        const downloads = await harness.audit.listEntries(a.workspaceId, {
          action: 'rights.export_downloaded',
        })
        assert.equal(downloads.entries[0]?.details?.via, 'agent-link')
        // The person's own link, mailed to them, works beside the agent's.
        const mail = (await readOutbox(harness.outbox))
          .filter((item) => item.to.includes(pat.email))
          .at(-1)
        const own = /https:\/\/custodian\.test(\/v1\/rights\/exports\/[A-Za-z0-9_-]{43})/.exec(
          mail?.text ?? '',
        )?.[1]
        assert.ok(own && own !== new URL(status.results_url ?? '').pathname)
        assert.equal((await harness.app.inject({ url: own })).statusCode, 200)
        // The status keeps the same link.
        const read = await send('GET', `/v1/data-rights-request/${status.request_id}`, { token })
        assert.equal(read.json<Status>().results_url, status.results_url)
        await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(a.secretKey),
          payload: { settings: { drp: { acceptAgentVerification: false } } },
        })
      })

      test('nothing the agent tied to the person is stored in clear', async () => {
        const status = await filed(
          exerciseClaims({
            'agent-request-id': 'acme-secret-ref-42',
            status_callback: 'https://agent.example/callbacks/pat-agentfiled',
          }),
        )
        assert.equal(status.agent_request_id, 'acme-secret-ref-42')
        const stored = await dumpStore(harness.storage)
        for (const value of [
          pat.email,
          pat.name,
          'acme-secret-ref-42',
          'callbacks/pat-agentfiled',
        ]) {
          for (const encoding of encodingsOf(value)) {
            assert.equal(stored.includes(encoding), false, `${value} is not in the stored bytes`)
          }
        }
      })
    })
  })
}
