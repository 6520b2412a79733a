import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Principal } from '../identity/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { auditActions, auditCatalogues } from './audit-actions.js'
import type { AuditEvent } from './audit.logic.js'

const workspaceA = '01960000-aaaa-7000-8000-00000000000a'
const workspaceB = '01960000-bbbb-7000-8000-00000000000b'

/** The callers of these tests, chosen per request by a test-only header. */
const principals: Record<string, Principal> = {
  'owner-a': {
    kind: 'operator',
    workspaceId: workspaceA,
    operatorId: 'op-owner-a',
    role: 'owner',
    twoFactorEnabled: true,
    sessionId: 's-1',
  },
  'owner-a-no-2fa': {
    kind: 'operator',
    workspaceId: workspaceA,
    operatorId: 'op-owner-a2',
    role: 'owner',
    twoFactorEnabled: false,
    sessionId: 's-2',
  },
  'agent-a': {
    kind: 'operator',
    workspaceId: workspaceA,
    operatorId: 'op-agent-a',
    role: 'agent',
    twoFactorEnabled: true,
    sessionId: 's-3',
  },
  'dpo-b': {
    kind: 'operator',
    workspaceId: workspaceB,
    operatorId: 'op-dpo-b',
    role: 'dpo',
    twoFactorEnabled: true,
    sessionId: 's-4',
  },
  'secret-a': { kind: 'secret-key', workspaceId: workspaceA, apiKeyId: 'key-a' },
  'public-a': { kind: 'public-key', workspaceId: workspaceA, apiKeyId: 'pub-a' },
}

function eventIn(workspaceId: string | null, index: number): AuditEvent {
  return {
    workspaceId,
    actor: { actorType: 'operator', actorId: `op-${index % 4}` },
    action: index % 3 === 0 ? 'contact.updated' : 'contact.read',
    resource: { type: 'contact', id: `contact-${index}` },
    subjectId: workspaceId === null ? null : `contact-${index % 5}`,
    purpose: 'support',
    outcome: 'allowed',
    requestId: `req-${index}`,
    ip: `192.0.2.${index}`,
    details: { fields: ['email'] },
  }
}

describe('GET /v1/audit', () => {
  let harness: TestApp
  const seqsIn: Record<string, number[]> = { [workspaceA]: [], [workspaceB]: [] }

  before(async () => {
    harness = await buildTestApp()
    harness.app.addHook('onRequest', async (request) => {
      const chosen = request.headers['x-test-principal']
      if (typeof chosen === 'string') request.principal = principals[chosen]
    })
    for (let index = 1; index <= 40; index += 1) {
      harness.clock.advance(60_000)
      const workspaceId = index % 4 === 0 ? workspaceB : index % 10 === 5 ? null : workspaceA
      const entry = await harness.audit.record(eventIn(workspaceId, index))
      if (workspaceId !== null) seqsIn[workspaceId]?.push(entry.seq)
    }
  })
  after(async () => harness.close())

  async function list(principal: string | undefined, query = '') {
    return harness.app.inject({
      method: 'GET',
      url: `/v1/audit${query}`,
      headers: principal === undefined ? {} : { 'x-test-principal': principal },
    })
  }

  async function seqsOf(principal: string, query: string): Promise<number[]> {
    const response = await list(principal, query)
    assert.equal(response.statusCode, 200, response.body)
    const page = response.json<{ data: { seq: number }[] }>()
    return page.data.map((entry) => entry.seq)
  }

  test('pages through exactly the caller’s workspace, newest first, with an opaque cursor', async () => {
    const seen: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const response = await list('owner-a', `?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(response.statusCode, 200, response.body)
      const page = response.json()
      assert.ok(page.data.length <= 7)
      seen.push(...page.data.map((entry: { seq: number }) => entry.seq))
      cursor = page.nextCursor
      pages += 1
    } while (cursor !== null && pages < 20)
    const expected = [...(seqsIn[workspaceA] ?? [])].sort((a, b) => b - a)
    assert.ok(expected.length > 7)
    assert.deepEqual(seen, expected)
  })

  test('workspace B sees only its own entries; no query can widen the scope', async () => {
    const expected = [...(seqsIn[workspaceB] ?? [])].sort((a, b) => b - a)
    assert.deepEqual(await seqsOf('dpo-b', ''), expected)
    const probe = await list('dpo-b', `?workspaceId=${workspaceA}`)
    assert.equal(probe.statusCode, 400)
    const body = (await list('dpo-b', '?limit=200')).body
    assert.ok(!body.includes('contact-1"'), 'an entry of workspace A leaked')
  })

  test('an entry has its fields, the subject only as a blind index and no IP by default', async () => {
    const response = await list('secret-a', '?limit=1')
    assert.equal(response.statusCode, 200)
    const [entry] = response.json().data
    const seq = Math.max(...(seqsIn[workspaceA] ?? []))
    const index = seq // entries were recorded one per seq, in index order
    assert.equal(entry.seq, seq)
    assert.deepEqual(entry.actor, { type: 'operator', id: `op-${index % 4}` })
    assert.deepEqual(entry.resource, { type: 'contact', id: `contact-${index}` })
    assert.match(entry.subjectRef, /^[0-9a-f]{64}$/)
    assert.equal(entry.purpose, 'support')
    assert.equal(entry.outcome, 'allowed')
    assert.equal(entry.requestId, `req-${index}`)
    assert.deepEqual(entry.details, { fields: ['email'] })
    assert.match(entry.hash, /^[0-9a-f]{64}$/)
    assert.equal('ip' in entry, false)
    assert.ok(!response.body.includes(`192.0.2.${index}`))
  })

  test('filters by action, subject and time', async () => {
    const updated = await list('owner-a', '?action=contact.updated&limit=200')
    const actions = updated.json().data.map((entry: { action: string }) => entry.action)
    assert.ok(actions.length > 0)
    assert.ok(actions.every((action: string) => action === 'contact.updated'))

    const aboutSubject = await seqsOf('owner-a', '?subjectId=contact-2&limit=200')
    const expected = (seqsIn[workspaceA] ?? []).filter((seq) => seq % 5 === 2).sort((a, b) => b - a)
    assert.deepEqual(aboutSubject, expected)

    // The clock started at 2026-01-01T00:00Z and entry n was recorded n minutes later.
    const windowed = await seqsOf(
      'owner-a',
      '?since=2026-01-01T00:10:00Z&until=2026-01-01T00:20:00Z&limit=200',
    )
    const inWindow = (seqsIn[workspaceA] ?? []).filter((seq) => seq >= 10 && seq < 20)
    assert.deepEqual(
      windowed,
      inWindow.sort((a, b) => b - a),
    )
  })

  test('includeIp opens the IPs, and that reading is itself on the record first', async () => {
    const response = await list('owner-a', '?limit=3&includeIp=true')
    assert.equal(response.statusCode, 200, response.body)
    const entries = response.json().data as { seq: number; ip: string | null }[]
    for (const entry of entries) assert.equal(entry.ip, `192.0.2.${entry.seq}`)
    const [reveal] = (await list('owner-a', '?limit=1&action=audit.ip_revealed')).json().data
    assert.deepEqual(reveal.actor, { type: 'operator', id: 'op-owner-a' })
    assert.equal(reveal.outcome, 'allowed')
    assert.equal(reveal.details.entries, 3)
    const { ip } = (await list('owner-a', '?limit=1&includeIp=true')).json().data[0]
    assert.equal(ip, '127.0.0.1', 'the reveal entry holds the reader’s own address')
    assert.equal((await harness.audit.verify()).ok, true)
  })

  test('refuses an agent, an owner without 2FA, the public key and an anonymous caller', async () => {
    for (const [principal, status, code] of [
      ['agent-a', 403, 'forbidden'],
      ['owner-a-no-2fa', 403, 'two_factor_required'],
      ['public-a', 403, 'forbidden'],
      [undefined, 401, 'unauthorized'],
    ] as const) {
      const response = await list(principal)
      assert.equal(response.statusCode, status, `${principal ?? 'anonymous'}: ${response.body}`)
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
      assert.equal(response.json().code, code)
      assert.ok(!response.body.includes('contact-'))
    }
  })

  test('rejects a forged cursor and out-of-range or unknown parameters', async () => {
    for (const query of [
      '?cursor=bm90LWEtY3Vyc29y',
      '?limit=201',
      '?limit=0',
      '?since=yesterday',
      '?action=Contact%20Read',
      '?action=contact.exported',
      '?includeIp=maybe',
    ]) {
      const response = await list('owner-a', query)
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`)
      assert.equal(response.json().code, 'invalid_request')
    }
  })

  test('is described in the OpenAPI document with its query parameters', async () => {
    const document = (await harness.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json()
    const operation = document.paths['/v1/audit']?.get
    assert.ok(operation, 'GET /v1/audit is missing from the OpenAPI document')
    const names = operation.parameters.map((parameter: { name: string }) => parameter.name)
    for (const name of ['cursor', 'limit', 'action', 'subjectId', 'since', 'until', 'includeIp']) {
      assert.ok(names.includes(name), `parameter ${name}`)
    }
    assert.ok(operation.responses['200'])
  })

  test('the action filter takes every catalogued action and nothing else', async () => {
    for (const action of auditActions) {
      const response = await list('owner-a', `?action=${action}&limit=1`)
      assert.equal(response.statusCode, 200, `${action}: ${response.body}`)
    }
    const document = (await harness.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json()
    const parameter = document.paths['/v1/audit'].get.parameters.find(
      (candidate: { name: string }) => candidate.name === 'action',
    )
    assert.deepEqual(parameter.schema, { $ref: '#/components/schemas/AuditAction' })
    const published: string[] = document.components.schemas.AuditAction.enum
    const union = Object.values(auditCatalogues).flatMap((catalogue) => Object.keys(catalogue))
    assert.deepEqual(published, union, 'the published enum is every module’s catalogue, in order')
  })
})
