import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import nacl from 'tweetnacl'
import { makeTestAgent } from './testing/agent.js'
import {
  checkEnvelope,
  decodeSignedBody,
  DrpRefusal,
  maxValidityMs,
  openSigned,
  parseClaims,
  verifyKeyFrom,
} from './signed-message.logic.js'

const now = new Date('2026-05-04T10:00:00Z')
const agent = makeTestAgent('AGENT_ONE')
const key = verifyKeyFrom(Buffer.from(agent.verifyKey, 'base64'))

function refusal(run: () => unknown): DrpRefusal {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof DrpRefusal, String(error))
    return error
  }
  assert.fail('no refusal')
}

describe('signed messages (DRP §3.07)', () => {
  test("Node's crypto verifies tweetnacl's combined mode and gives back the JSON", () => {
    assert.ok(key)
    const claims = agent.envelope('BUSINESS', now)
    const message = openSigned(decodeSignedBody(agent.sign(claims)), key)
    assert.ok(message)
    assert.deepEqual(parseClaims(message), claims)
  })

  test('a changed byte, another key, or a signature alone do not verify', () => {
    assert.ok(key)
    const signed = decodeSignedBody(agent.sign({ a: 1 }))
    const tampered = Buffer.from(signed)
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2)
    assert.equal(openSigned(tampered, key), undefined)
    const other = makeTestAgent('AGENT_TWO')
    assert.equal(openSigned(decodeSignedBody(other.sign({ a: 1 })), key), undefined)
    const flipped = Buffer.from(signed)
    flipped.writeUInt8(flipped.readUInt8(3) ^ 1, 3)
    assert.equal(openSigned(flipped, key), undefined)
  })

  test('only standard, padded base64 longer than a signature decodes', () => {
    for (const body of [
      '',
      'not base64!',
      'abc',
      Buffer.alloc(64).toString('base64'),
      'YWJj-_8=',
    ]) {
      assert.equal(refusal(() => decodeSignedBody(body)).why, 'base64', body)
    }
    assert.equal(
      decodeSignedBody(`${agent.sign({ a: 1 })}\n`).length,
      64 + 7,
      'a final newline is fine',
    )
  })

  test('a verify key is 32 bytes that make an Ed25519 point', () => {
    assert.equal(verifyKeyFrom(Buffer.alloc(31)), undefined)
    assert.ok(verifyKeyFrom(Buffer.from(nacl.sign.keyPair().publicKey)))
  })

  test('the claims are a bounded JSON object', () => {
    assert.equal(refusal(() => parseClaims(Buffer.from('[1]'))).why, 'malformed')
    assert.equal(refusal(() => parseClaims(Buffer.from('{'))).why, 'malformed')
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`
    assert.equal(refusal(() => parseClaims(Buffer.from(deep))).why, 'malformed')
  })

  test('the envelope is checked in order: agent, business, issued-at, expires-at', () => {
    const expected = { agentId: 'AGENT_ONE', businessId: 'BUSINESS', now, required: true }
    const envelope = agent.envelope('BUSINESS', now)
    assert.equal(
      checkEnvelope(envelope, expected)?.toISOString(),
      new Date(now.getTime() + 10 * 60_000).toISOString(),
    )
    const everythingWrong = {
      'agent-id': 'AGENT_TWO',
      'business-id': 'ELSEWHERE',
      'issued-at': new Date(now.getTime() + 60_000).toISOString(),
      'expires-at': new Date(now.getTime() - 60_000).toISOString(),
    }
    const order = [
      ['agent-id', 'agent_mismatch'],
      ['business-id', 'business_mismatch'],
      ['issued-at', 'not_yet_valid'],
      ['expires-at', 'expired'],
    ] as const
    const claims: Record<string, unknown> = { ...everythingWrong }
    for (const [claim, why] of order) {
      const refused = refusal(() => checkEnvelope(claims, expected))
      assert.equal(refused.why, why)
      assert.equal(refused.status, 403)
      claims[claim] = envelope[claim]
    }
    assert.ok(checkEnvelope(claims, expected))
  })

  test('an expired message is a fatal refusal; a window over an hour is refused', () => {
    const expected = { agentId: 'AGENT_ONE', businessId: 'BUSINESS', now, required: true }
    const expired = refusal(() =>
      checkEnvelope(agent.envelope('BUSINESS', now, { 'expires-at': now.toISOString() }), expected),
    )
    assert.equal(expired.why, 'expired')
    assert.equal(expired.fatal, true)
    const long = agent.envelope('BUSINESS', now, {
      'expires-at': new Date(now.getTime() + maxValidityMs + 60_000).toISOString(),
    })
    assert.equal(refusal(() => checkEnvelope(long, expected)).why, 'too_long')
  })

  test('instants need their offset; claims may be left out only where not required', () => {
    const expected = { agentId: 'AGENT_ONE', businessId: 'BUSINESS', now, required: true }
    const local = agent.envelope('BUSINESS', now, { 'issued-at': '2026-05-04T09:59:00' })
    assert.equal(refusal(() => checkEnvelope(local, expected)).why, 'malformed')
    const micro = agent.envelope('BUSINESS', now, {
      'issued-at': '2026-05-04T09:59:00.123456+00:00',
    })
    assert.ok(checkEnvelope(micro, expected), 'PyNaCl agents send microseconds')
    assert.equal(refusal(() => checkEnvelope({ reason: 'x' }, expected)).why, 'malformed')
    assert.equal(checkEnvelope({ reason: 'x' }, { ...expected, required: false }), undefined)
    assert.equal(
      refusal(() => checkEnvelope({ 'agent-id': 'AGENT_TWO' }, { ...expected, required: false }))
        .why,
      'agent_mismatch',
    )
  })
})
