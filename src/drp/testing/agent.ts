import nacl from 'tweetnacl'
import type { TestApp } from '../../testing/test-app.js'

/**
 * An authorised agent for tests, signing with tweetnacl: an Ed25519 implementation
 * independent of Node's crypto, which the code under test verifies with.
 * `nacl.sign(message, secretKey)` is libsodium's combined mode: the 64-byte signature
 * followed by the message.
 */
export interface TestAgent {
  agentId: string
  /** base64 of the raw 32-byte public key, as `POST /v1/drp/agents` takes it. */
  verifyKey: string
  /** base64 of the signature and the JSON bytes, as sent in a `text/plain` body. */
  sign(claims: Record<string, unknown>): string
  /** Signs exact bytes: a test of what is not JSON. */
  signBytes(bytes: Uint8Array): string
  /** The envelope claims (§2.01 group 1) for `businessId`, valid from `now` for ten minutes. */
  envelope(
    businessId: string,
    now: Date,
    overrides?: Record<string, unknown>,
  ): Record<string, unknown>
}

export function makeTestAgent(agentId: string): TestAgent {
  const keys = nacl.sign.keyPair()
  const signBytes = (bytes: Uint8Array) =>
    Buffer.from(nacl.sign(bytes, keys.secretKey)).toString('base64')
  return {
    agentId,
    verifyKey: Buffer.from(keys.publicKey).toString('base64'),
    signBytes,
    sign: (claims) => signBytes(Buffer.from(JSON.stringify(claims), 'utf8')),
    envelope: (businessId, now, overrides = {}) => ({
      'agent-id': agentId,
      'business-id': businessId,
      'issued-at': new Date(now.getTime() - 1000).toISOString(),
      'expires-at': new Date(now.getTime() + 10 * 60_000).toISOString(),
      'drp.version': '1.0',
      ...overrides,
    }),
  }
}

/** Registers the agent in a workspace with its secret key, and sets up its token. */
export async function registerAndPair(
  harness: TestApp,
  agent: TestAgent,
  workspace: { workspaceId: string; secretKey: string },
  name = 'Test Agent',
): Promise<string> {
  const registered = await harness.app.inject({
    method: 'POST',
    url: '/v1/drp/agents',
    headers: { authorization: `Bearer ${workspace.secretKey}` },
    payload: { agentId: agent.agentId, name, verifyKey: agent.verifyKey },
  })
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.body}`)
  const paired = await harness.app.inject({
    method: 'POST',
    url: `/v1/agent/${agent.agentId}`,
    headers: { 'content-type': 'text/plain' },
    payload: agent.sign(agent.envelope(workspace.workspaceId, harness.clock.now())),
  })
  if (paired.statusCode !== 200) throw new Error(`pair: ${paired.statusCode} ${paired.body}`)
  return paired.json<{ token: string }>().token
}
