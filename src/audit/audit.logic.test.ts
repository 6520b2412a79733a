import assert from 'node:assert/strict'
import { auditableRequestId } from '../http/index.js'
import { describe, test } from 'node:test'
import { isAppError } from '../errors.js'
import type { AuditAction } from './audit-actions.js'
import { type AuditEvent, checkEvent, platformWorkspaceId } from './audit.logic.js'

const valid: AuditEvent = {
  workspaceId: 'ws-1',
  actor: { actorType: 'operator', actorId: '01960000-0000-7000-8000-000000000001' },
  action: 'contact.read',
  resource: { type: 'contact', id: 'c-1' },
  subjectId: 'c-1',
  purpose: 'support',
  outcome: 'allowed',
  requestId: 'req-1',
  ip: '2001:db8::7',
  details: { zeta: 1, alpha: ['name', 'email'], flag: true, none: null },
}

function assertRefused(event: AuditEvent, field: string, secret?: string): void {
  assert.throws(
    () => checkEvent(event),
    (error: unknown) => {
      assert.ok(isAppError(error), String(error))
      assert.equal(error.code, 'invalid_request')
      assert.equal(error.errors?.[0]?.field, field)
      if (secret !== undefined) assert.ok(!error.message.includes(secret), 'the value leaked')
      return true
    },
  )
}

describe('audit event checks', () => {
  test('a complete event is accepted, its details made canonical (sorted keys)', () => {
    const checked = checkEvent(valid)
    assert.equal(checked.workspaceId, 'ws-1')
    assert.equal(checked.actorType, 'operator')
    assert.equal(checked.resourceType, 'contact')
    assert.equal(checked.ip, '2001:db8::7')
    assert.equal(checked.details, '{"alpha":["name","email"],"flag":true,"none":null,"zeta":1}')
  })

  test('optional parts left out become null; empty details are no details', () => {
    const checked = checkEvent({
      workspaceId: null,
      actor: { actorType: 'system', actorId: null },
      action: 'auth.login_failed',
      outcome: 'failed',
      details: {},
    })
    assert.deepEqual(
      [checked.resourceType, checked.resourceId, checked.subjectId, checked.purpose],
      [null, null, null, null],
    )
    assert.deepEqual([checked.requestId, checked.ip, checked.details], [null, null, null])
  })

  test('anything shaped like an email or an IP address outside the sealed IP is refused', () => {
    assertRefused({ ...valid, details: { to: 'ada@example.com' } }, 'details.to', 'ada@')
    assertRefused({ ...valid, details: { from: ['x', '198.51.100.4'] } }, 'details.from', '198.51')
    assertRefused({ ...valid, details: { peer: 'fe80::1:2' } }, 'details.peer', 'fe80')
    assertRefused({ ...valid, resource: { type: 'contact', id: '198.51.100.4' } }, 'resource.id')
    assertRefused(
      { ...valid, actor: { actorType: 'end-user', actorId: '10.0.0.8' } },
      'actor.actorId',
    )
    assertRefused({ ...valid, resource: { type: 'contact', id: 'ada@example.com' } }, 'resource.id')
  })

  test('verbs, outcomes, actor types, purposes and addresses must be what they claim', () => {
    const malformed = ['read', 'Contact.read', 'contact.', 'contact read', 'a.b.c.d.e']
    // Well-formed names that no module writes are refused too: the catalogue is a closed set.
    const uncatalogued = ['contact.exported', 'contact.raed', 'auth.login.extra']
    for (const action of [...malformed, ...uncatalogued]) {
      assertRefused({ ...valid, action: action as AuditAction }, 'action')
    }
    assertRefused({ ...valid, outcome: 'maybe' as AuditEvent['outcome'] }, 'outcome')
    assertRefused(
      { ...valid, actor: { actorType: 'robot' as 'system', actorId: null } },
      'actor.actorType',
    )
    assertRefused({ ...valid, purpose: 'Because I Can' }, 'purpose')
    assertRefused({ ...valid, ip: 'localhost' }, 'ip')
    assertRefused({ ...valid, resource: { type: 'Contact' } }, 'resource.type')
  })

  test('a data subject needs a workspace, and the platform workspace id is reserved', () => {
    assertRefused({ ...valid, workspaceId: null }, 'subjectId')
    assertRefused({ ...valid, workspaceId: platformWorkspaceId }, 'workspaceId')
    assertRefused({ ...valid, subjectId: '   ' }, 'subjectId')
  })

  test('details stay small and flat', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, index]))
    assertRefused({ ...valid, details: many }, 'details')
    assertRefused({ ...valid, details: { note: 'x'.repeat(201) } }, 'details.note')
    assertRefused({ ...valid, details: { 'bad key': 1 } }, 'details')
    assertRefused({ ...valid, details: { ratio: Number.NaN } }, 'details.ratio')
    const nested = { inner: { a: 1 } } as unknown as AuditEvent['details']
    assertRefused({ ...valid, details: nested }, 'details.inner')
    const deep = { list: [['a']] } as unknown as AuditEvent['details']
    assertRefused({ ...valid, details: deep }, 'details.list')
  })

  test('request ids are kept when plain, dropped when odd or shaped like an address', () => {
    assert.equal(auditableRequestId('9f0c-req:1.2'), '9f0c-req:1.2')
    assert.equal(auditableRequestId('198.51.100.23'), null)
    assert.equal(auditableRequestId('has space'), null)
    assert.equal(auditableRequestId('x'.repeat(65)), null)
    assertRefused({ ...valid, requestId: 'has space' }, 'requestId')
  })
})
