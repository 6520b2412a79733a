import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { recordController, sampleController } from '../workspaces/testing/controller.js'
import type { ConsentReceipt } from './receipt.logic.js'
import { receiptSchemaValidator } from './testing/consent.js'

const visitorIp = '203.0.113.77'
const visitorAgent = 'Mozilla/5.0 (X11) ScanProbe-UA/7.3'
const json = { 'content-type': 'application/json' }

for (const dialect of testDialects) {
  describe(`consent API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let a: TenantFixture
    let b: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      a = await createTenant(harness, 'Tenant A')
      b = await createTenant(harness, 'Tenant B')
      for (const tenant of [a, b]) {
        await recordController(
          harness.modules.workspaces,
          tenant.workspaceId,
          sampleController({ legalName: tenant === a ? 'Tenant A' : 'Tenant B' }),
        )
      }
    })
    after(async () => harness.close())

    function sdk(key: string, payload: object, headers: Record<string, string> = {}) {
      harness.clock.advance(1000)
      return harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: { ...bearer(key), 'user-agent': visitorAgent, ...json, ...headers },
        remoteAddress: visitorIp,
        payload,
      })
    }
    const get = (url: string, key: string) =>
      harness.app.inject({ url, headers: bearer(key), remoteAddress: '198.51.100.9' })

    test('the SDK grants and withdraws with the public key; both show with their proof and receipts', async () => {
      const granted = await sdk(a.publicKey, {
        anonymousId: 'anon-sdk-1',
        purpose: 'analytics',
        granted: true,
      })
      assert.equal(granted.statusCode, 201, granted.body)
      const grantBody = granted.json()
      assert.equal(grantBody.event.action, 'granted')
      assert.equal(grantBody.event.source, 'sdk')
      assert.match(grantBody.event.purposeTermsSha256, /^[0-9a-f]{64}$/)
      assert.deepEqual(grantBody.state.decision, { allowed: true, reason: 'consent_given' })
      const withdrawn = await sdk(a.publicKey, {
        anonymousId: 'anon-sdk-1',
        purpose: 'analytics',
        granted: false,
      })
      assert.equal(withdrawn.statusCode, 201)
      assert.deepEqual(withdrawn.json().state.decision, {
        allowed: false,
        reason: 'consent_withdrawn',
      })

      const read = await get('/v1/consents?anonymousId=anon-sdk-1', a.secretKey)
      assert.equal(read.statusCode, 200)
      const view = read.json()
      assert.deepEqual(
        view.history.map((item: { action: string }) => item.action),
        ['withdrawn', 'granted'],
      )
      for (const item of view.history) {
        assert.equal(item.source, 'sdk')
        assert.equal(typeof item.recordedAt, 'string')
        assert.deepEqual(item.proof, {
          ip: visitorIp,
          userAgent: visitorAgent,
          evidence: null,
          erased: false,
        })
      }
      const analytics = view.purposes.find((p: { purpose: string }) => p.purpose === 'analytics')
      assert.equal(analytics.granted, false)

      const validate = receiptSchemaValidator()
      for (const item of view.history) {
        const receipt = await get(`/v1/consents/receipts/${item.receiptId}`, a.secretKey)
        assert.equal(receipt.statusCode, 200)
        assert.match(String(receipt.headers['content-disposition']), /attachment/)
        assert.ok(validate(receipt.json()), JSON.stringify(validate.errors))
        const document = receipt.json<ConsentReceipt>()
        assert.equal(document.consentReceiptID, item.id)
        assert.equal(document.piiControllers[0]?.piiController, 'Tenant A')
        assert.equal(document.custodian.action, item.action)
        assert.equal(document.custodian.granted, item.action === 'granted')
        assert.match(item.purposeTermsSha256, /^[0-9a-f]{64}$/)
        assert.equal(document.custodian.purposeTermsSha256, item.purposeTermsSha256)
        assert.deepEqual(document.custodian.proofHeld, ['time', 'source', 'ip', 'userAgent'])
        assert.ok(!receipt.body.includes(visitorIp), 'a receipt names the proof, never shows it')
      }
      const log = await harness.audit.listEntries(a.workspaceId, { limit: 200 })
      const actions = log.entries.map((entry) => entry.action)
      for (const action of [
        'consent.granted',
        'consent.withdrawn',
        'consent.read',
        'consent.receipt_read',
      ]) {
        assert.ok(actions.includes(action), action)
      }
    })

    test('the public key speaks only for its own anonymous id, and reads without proof', async () => {
      for (const identifier of [{ email: 'someone@example.org' }, { externalId: 'user-42' }]) {
        const response = await sdk(a.publicKey, {
          ...identifier,
          purpose: 'marketing',
          granted: true,
        })
        assert.equal(response.statusCode, 403)
        assert.equal(response.json().code, 'forbidden')
      }
      const proofRelay = await sdk(a.publicKey, {
        anonymousId: 'anon-sdk-1',
        purpose: 'analytics',
        granted: true,
        proof: { ip: '192.0.2.1' },
      })
      assert.equal(proofRelay.statusCode, 400)
      const read = await get('/v1/consents?anonymousId=anon-sdk-1', a.publicKey)
      assert.equal(read.statusCode, 200)
      const view = read.json()
      assert.ok(view.history.length >= 2)
      assert.ok(view.history.every((item: object) => !('proof' in item)))
      assert.ok(!read.body.includes(visitorIp) && !read.body.includes('ScanProbe'))
      assert.equal((await get('/v1/consents?email=a@example.org', a.publicKey)).statusCode, 403)
      const receiptId = view.history[0].receiptId
      const own = await get(
        `/v1/consents/receipts/${receiptId}?anonymousId=anon-sdk-1`,
        a.publicKey,
      )
      assert.equal(own.statusCode, 200)
      assert.ok(receiptSchemaValidator()(own.json()))
      const someoneElses = await get(
        `/v1/consents/receipts/${receiptId}?anonymousId=anon-other`,
        a.publicKey,
      )
      assert.equal(someoneElses.statusCode, 404)
      assert.equal((await get(`/v1/consents/receipts/${receiptId}`, a.publicKey)).statusCode, 400)
      for (const url of ['/v1/consents/decision?anonymousId=anon-sdk-1&purpose=analytics']) {
        assert.equal((await get(url, a.publicKey)).statusCode, 403, url)
      }
      const parental = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents/parental',
        headers: bearer(a.publicKey),
        payload: { anonymousId: 'anon-sdk-1', verified: true, method: 'signed-form' },
      })
      assert.equal(parental.statusCode, 403)
    })

    test('a Sec-GPC: 1 header is recorded as an objection to marketing and profiling', async () => {
      const marketing = await sdk(a.publicKey, {
        anonymousId: 'anon-gpc',
        purpose: 'marketing',
        granted: true,
      })
      assert.deepEqual(marketing.json().state.decision, { allowed: true, reason: 'consent_given' })
      const withGpc = await sdk(
        a.publicKey,
        { anonymousId: 'anon-gpc', purpose: 'analytics', granted: true },
        { 'sec-gpc': '1' },
      )
      assert.equal(withGpc.statusCode, 201)
      assert.deepEqual(
        withGpc.json().events.map((e: { action: string; gpc: boolean }) => [e.action, e.gpc]),
        [
          ['gpc_on', true],
          ['granted', true],
        ],
      )
      const view = (await get('/v1/consents?anonymousId=anon-gpc', a.secretKey)).json()
      assert.equal(view.flags.globalPrivacyControl, true)
      const reasons = Object.fromEntries(
        view.purposes.map((p: { purpose: string; decision: { reason: string } }) => [
          p.purpose,
          p.decision.reason,
        ]),
      )
      assert.equal(reasons.marketing, 'gpc_objection')
      assert.equal(reasons.profiling, 'gpc_objection')
      assert.equal(reasons.analytics, 'consent_given')
      const decision = await get(
        '/v1/consents/decision?anonymousId=anon-gpc&purpose=marketing',
        a.secretKey,
      )
      assert.deepEqual([decision.json().allowed, decision.json().reason], [false, 'gpc_objection'])
    })

    test('a child under the age of digital consent is refused until a verified parental consent', async () => {
      const declared = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents/age',
        headers: bearer(a.publicKey),
        payload: { anonymousId: 'anon-child', age: 12 },
      })
      assert.equal(declared.statusCode, 201, declared.body)
      assert.equal(declared.json().flags.child, true)
      const granted = await sdk(a.publicKey, {
        anonymousId: 'anon-child',
        purpose: 'analytics',
        granted: true,
      })
      assert.deepEqual(granted.json().state.decision, {
        allowed: false,
        reason: 'child_without_parental_consent',
      })
      const older = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents/age',
        headers: bearer(a.publicKey),
        payload: { anonymousId: 'anon-child', age: 30 },
      })
      assert.equal(older.statusCode, 409, 'a child cannot answer again through the SDK')
      const parental = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents/parental',
        headers: bearer(a.secretKey),
        payload: {
          anonymousId: 'anon-child',
          verified: true,
          method: 'email-confirmation',
          reference: 'parent confirmed 2026-01-01',
        },
      })
      assert.equal(parental.statusCode, 201, parental.body)
      assert.equal(parental.json().flags.parentalConsentVerified, true)
      const decision = await get(
        '/v1/consents/decision?anonymousId=anon-child&purpose=analytics',
        a.secretKey,
      )
      assert.deepEqual([decision.json().allowed, decision.json().reason], [true, 'consent_given'])
      const both = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents/age',
        headers: bearer(a.secretKey),
        payload: { anonymousId: 'anon-child', age: 12, birthDate: '2014-01-01' },
      })
      assert.equal(both.statusCode, 400)
    })

    test('a withdrawal takes effect at once, and the refusal is audited', async () => {
      await sdk(a.publicKey, { anonymousId: 'anon-now', purpose: 'marketing', granted: true })
      const url = '/v1/consents/decision?anonymousId=anon-now&purpose=marketing'
      assert.equal((await get(url, a.secretKey)).json().allowed, true)
      await sdk(a.publicKey, { anonymousId: 'anon-now', purpose: 'marketing', granted: false })
      const refused = (await get(url, a.secretKey)).json()
      assert.deepEqual([refused.allowed, refused.reason], [false, 'consent_withdrawn'])
      const audit = await harness.app.inject({
        url: `/v1/audit?action=consent.denied&subjectId=${refused.subjectId}`,
        headers: bearer(a.secretKey),
      })
      assert.equal(audit.statusCode, 200)
      const entries = audit.json().data
      assert.ok(Array.isArray(entries) && entries.length === 1, audit.body)
      assert.equal(entries[0].outcome, 'denied')
      assert.equal(entries[0].purpose, 'marketing')
      assert.equal(entries[0].details.reason, 'consent_withdrawn')
    })

    test('tenant walls: B cannot see, fetch or change what A recorded', async () => {
      const fromB = await get('/v1/consents?anonymousId=anon-sdk-1', b.secretKey)
      assert.equal(fromB.statusCode, 200)
      assert.deepEqual(
        [fromB.json().subjectId, fromB.json().history, fromB.json().historyTotal],
        [null, [], 0],
      )
      const aView = (await get('/v1/consents?anonymousId=anon-sdk-1', a.secretKey)).json()
      for (const item of aView.history) {
        const receipt = await get(`/v1/consents/receipts/${item.receiptId}`, b.secretKey)
        assert.equal(receipt.statusCode, 404)
        assert.ok(!receipt.body.includes(aView.subjectId))
      }
      const decision = await get(
        '/v1/consents/decision?anonymousId=anon-sdk-1&purpose=analytics',
        b.secretKey,
      )
      assert.deepEqual([decision.json().reason, decision.json().subjectId], ['no_consent', null])
      const patched = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/purposes/analytics',
        headers: bearer(b.secretKey),
        payload: { lawfulBasis: 'legitimate-interests' },
      })
      assert.equal(patched.statusCode, 200)
      const aPurposes = (await get('/v1/purposes', a.publicKey)).json().data
      assert.equal(
        aPurposes.find((p: { name: string }) => p.name === 'analytics').lawfulBasis,
        'consent',
      )
    })

    test('bad input is an RFC 9457 problem, never a 500', async () => {
      const cases: [object, number][] = [
        [{ purpose: 'analytics', granted: true }, 400],
        [{ anonymousId: 'x', email: 'x@example.org', purpose: 'analytics', granted: true }, 400],
        [{ anonymousId: 'x', purpose: 'Not A Purpose', granted: true }, 400],
        [{ anonymousId: 'x', purpose: 'telepathy', granted: true }, 400],
        [{ anonymousId: 'x', purpose: 'analytics', granted: 'yes' }, 400],
        [{ anonymousId: 'x', purpose: 'analytics', granted: true, policyVersion: 'nope' }, 400],
        [{ anonymousId: '   ', purpose: 'analytics', granted: true }, 400],
        [{ anonymousId: 'x', purpose: 'analytics', granted: true, extra: 1 }, 400],
        [{ externalId: 'u1', purpose: 'support', granted: false }, 409],
        [
          { externalId: 'u1', purpose: 'analytics', granted: true, proof: { ip: 'not-an-ip' } },
          400,
        ],
      ]
      for (const [payload, status] of cases) {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: { ...bearer(a.secretKey), ...json },
          payload,
        })
        assert.equal(response.statusCode, status, `${JSON.stringify(payload)}: ${response.body}`)
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
        assert.ok(!response.body.includes('x@example.org'))
      }
      for (const url of [
        '/v1/consents',
        '/v1/consents?anonymousId=a&externalId=b',
        '/v1/consents?anonymousId=a&historyLimit=0',
        '/v1/consents/receipts/not-a-uuid',
        '/v1/consents/decision?anonymousId=a',
      ]) {
        assert.equal((await get(url, a.secretKey)).statusCode, 400, url)
      }
      const unknown = await get(
        '/v1/consents/receipts/00000000-0000-7000-8000-000000000000',
        a.secretKey,
      )
      assert.equal(unknown.statusCode, 404)
      const malformed = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: { ...bearer(a.secretKey), ...json },
        payload: '{"anonymousId": ',
      })
      assert.equal(malformed.statusCode, 400)
    })

    test('purposes and policy versions through the API; a change of basis is audited', async () => {
      const created = await harness.app.inject({
        method: 'POST',
        url: '/v1/purposes',
        headers: a.owner.headers(),
        payload: {
          name: 'research',
          lawfulBasis: 'consent',
          description: 'Inviting you to user research.',
          dataCategories: ['contact'],
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      const duplicate = await harness.app.inject({
        method: 'POST',
        url: '/v1/purposes',
        headers: a.owner.headers(),
        payload: { name: 'marketing', lawfulBasis: 'consent', description: 'Again.' },
      })
      assert.equal(duplicate.statusCode, 409)
      const changed = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/purposes/research',
        headers: a.owner.headers(),
        payload: { lawfulBasis: 'legitimate-interests' },
      })
      assert.equal(changed.statusCode, 200)
      assert.equal(changed.json().lawfulBasis, 'legitimate-interests')
      const missing = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/purposes/unknown',
        headers: a.owner.headers(),
        payload: { description: 'x' },
      })
      assert.equal(missing.statusCode, 404)
      const log = await harness.audit.listEntries(a.workspaceId, {
        action: 'consent.basis_changed',
      })
      const change = log.entries[0]
      assert.ok(change)
      assert.equal(change.details?.to, 'legitimate-interests')
      assert.equal(change.actor.id, a.owner.operatorId)

      await sdk(a.publicKey, { anonymousId: 'anon-policy', purpose: 'marketing', granted: true })
      const decisionUrl = '/v1/consents/decision?anonymousId=anon-policy&purpose=marketing'
      assert.equal((await get(decisionUrl, a.secretKey)).json().allowed, true)
      const policy = await harness.app.inject({
        method: 'POST',
        url: '/v1/policies',
        headers: bearer(a.secretKey),
        payload: {
          version: '2026-03',
          url: 'https://example.com/privacy',
          text: 'Our notice.',
          reconsentPurposes: ['marketing'],
        },
      })
      assert.equal(policy.statusCode, 201, policy.body)
      assert.equal(policy.json().seq, 1)
      const listed = (await get('/v1/policies', a.publicKey)).json().data
      assert.equal(listed[0].version, '2026-03')
      // The grant given before this version asked again no longer counts.
      assert.equal((await get(decisionUrl, a.secretKey)).json().reason, 'consent_outdated')
      const fresh = await sdk(a.publicKey, {
        anonymousId: 'anon-policy',
        purpose: 'marketing',
        granted: true,
        policyVersion: '2026-03',
      })
      assert.equal((await get(decisionUrl, a.secretKey)).json().allowed, true)
      assert.equal(fresh.json().event.policyVersion, '2026-03')
      const receipt = await get(`/v1/consents/receipts/${fresh.json().receiptId}`, a.secretKey)
      assert.equal(receipt.json().policyUrl, 'https://example.com/privacy')
      assert.match(receipt.json().custodian.policyTextSha256, /^[0-9a-f]{64}$/)
    })

    test('the OpenAPI document describes the consent routes', async () => {
      const document = (await harness.app.inject({ url: '/v1/openapi.json' })).json()
      for (const path of [
        '/v1/consents',
        '/v1/consents/receipts/{id}',
        '/v1/consents/decision',
        '/v1/consents/age',
        '/v1/consents/parental',
        '/v1/purposes',
        '/v1/purposes/{name}',
        '/v1/policies',
      ]) {
        assert.ok(document.paths[path], path)
      }
    })

    test('no IP, user agent or identifier is stored in clear', async () => {
      await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: { ...bearer(a.secretKey), ...json },
        payload: {
          email: 'scan.person@example.org',
          purpose: 'marketing',
          granted: true,
          proof: { ip: '192.0.2.201', userAgent: 'RelayedAgent/4.4' },
        },
      })
      await harness.audit.flush()
      const needles = [
        visitorIp,
        visitorAgent,
        'ScanProbe-UA',
        '192.0.2.201',
        'RelayedAgent/4.4',
        'scan.person@example.org',
        'anon-sdk-1',
        'anon-child',
        'parent confirmed',
      ]
      const haystack = await dumpConsentTables(harness)
      assert.ok(haystack.includes('analytics'), 'positive control: clear columns are scanned')
      for (const needle of needles) {
        assert.ok(!haystack.includes(needle), `${needle} is in clear in a table`)
      }
      if (harness.storage.dialect === 'sqlite') {
        const files = [harness.storage.location, `${harness.storage.location}-wal`].filter(
          existsSync,
        )
        const bytes = Buffer.concat(files.map((file) => readFileSync(file)))
        assert.ok(bytes.includes(Buffer.from('analytics')), 'positive control: the file is read')
        for (const needle of needles) {
          assert.ok(!bytes.includes(Buffer.from(needle)), `${needle} is in the SQLite file`)
        }
      }
    })
  })
}

/**
 * Every row of the consent tables, the subjects module's (where the identifiers a
 * consent names are kept) and the audit log as text; binary as UTF-8 and hex.
 */
async function dumpConsentTables(harness: TestApp): Promise<string> {
  const tables = [
    'consent_events',
    'consent_states',
    'consent_subjects',
    'subjects',
    'subject_identifiers',
    'consent_purposes',
    'consent_policies',
    'audit_entries',
  ]
  const parts: string[] = []
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      harness.storage.db,
    )
    for (const row of rows.rows) {
      for (const value of Object.values(row)) {
        if (Buffer.isBuffer(value)) parts.push(value.toString('utf8'), value.toString('hex'))
        else parts.push(String(value))
      }
    }
  }
  return parts.join('\n')
}
