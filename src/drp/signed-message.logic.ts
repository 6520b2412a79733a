import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto'
import { findJsonFlaw } from '../http/index.js'

/**
 * Signed messages of the Data Rights Protocol 1.0 (§3.07): a JSON document with its
 * Ed25519 signature prepended (libsodium's "combined mode"), base64-encoded and sent as
 * `text/plain`. Pure: the checks, in the order §3.07 lists them, on values the caller
 * read. Node's own crypto verifies; the tests sign with an independent implementation.
 */

/** The protocol version followed, as `drp.version` carries it. */
export const drpVersion = '1.0'
const signatureBytes = 64
export const verifyKeyBytes = 32
/**
 * The longest a signed message may claim to stay valid. §2.01 recommends no more than
 * ten minutes; an hour leaves room for slow agents while the replay hashes stay few.
 */
export const maxValidityMs = 60 * 60_000

/** Why a call was refused, as audited (`drp_request.refused`) and tested. */
export type RefusalWhy =
  | 'no_token'
  | 'unknown_token'
  | 'base64'
  | 'signature'
  | 'malformed'
  | 'agent_mismatch'
  | 'business_mismatch'
  | 'not_yet_valid'
  | 'expired'
  | 'too_long'
  | 'replay'
  | 'duplicate'
  | 'unsupported'
  | 'not_yours'
  | 'conflict'

/**
 * A refusal in the protocol's terms (§3.06): an HTTP status, a message that quotes
 * nothing the caller sent, and `fatal` when retrying the same request cannot succeed.
 */
export class DrpRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 409 | 413 | 415,
    readonly why: RefusalWhy,
    message: string,
    readonly fatal = false,
  ) {
    super(message)
    this.name = 'DrpRefusal'
  }
}

/** An agent's verify key from its raw 32 bytes; undefined when they are no Ed25519 key. */
export function verifyKeyFrom(raw: Buffer): KeyObject | undefined {
  if (raw.length !== verifyKeyBytes) return undefined
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    })
  } catch {
    return undefined
  }
}

/** The bytes of a base64 body (§3.07, first check): standard alphabet, padded. */
export function decodeSignedBody(body: string): Buffer {
  const text = body.trim()
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new DrpRefusal(400, 'base64', 'The body is not a base64-encoded signed message')
  }
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length <= signatureBytes) {
    throw new DrpRefusal(400, 'base64', 'The body is too short to hold a signed message')
  }
  return bytes
}

/** The message a combined-mode signature covers, if it verifies under `key` (second check). */
export function openSigned(signed: Buffer, key: KeyObject): Buffer | undefined {
  const signature = signed.subarray(0, signatureBytes)
  const message = signed.subarray(signatureBytes)
  try {
    return verify(null, message, key, signature) ? message : undefined
  } catch {
    return undefined
  }
}

/** The signed JSON object, within the bounds every JSON body is held to. */
export function parseClaims(message: Buffer): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(message.toString('utf8'))
  } catch {
    throw new DrpRefusal(400, 'malformed', 'The signed message is not JSON', true)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DrpRefusal(400, 'malformed', 'The signed message is not a JSON object', true)
  }
  if (findJsonFlaw(value) !== undefined) {
    throw new DrpRefusal(400, 'malformed', 'The signed message breaks the JSON bounds', true)
  }
  return value as Record<string, unknown>
}

/** What the envelope claims must say for this agent, this workspace, at this instant. */
export interface EnvelopeExpectation {
  agentId: string
  businessId: string
  now: Date
  /**
   * Whether the claims must be there. The revoke body of §2.04 holds only `reason`:
   * such claims as it carries are checked, and the replay hash guards it alone.
   */
  required: boolean
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

function instantOf(claims: Record<string, unknown>, name: string): Date | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  const at = typeof value === 'string' && isoInstant.test(value) ? new Date(value) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new DrpRefusal(400, 'malformed', `${name} is not an ISO 8601 instant with its offset`)
  }
  return at
}

/**
 * The checks of §3.07 after the signature, in its order: the agent named is the one
 * the token belongs to, the business is this workspace, the message was issued already
 * and has not expired. Answers when the message stops being valid, for its replay hash.
 */
export function checkEnvelope(
  claims: Record<string, unknown>,
  expected: EnvelopeExpectation,
): Date | undefined {
  const required = (name: string) => {
    if (expected.required && claims[name] === undefined) {
      throw new DrpRefusal(400, 'malformed', `The signed message has no ${name}`, true)
    }
  }
  required('agent-id')
  if (claims['agent-id'] !== undefined && claims['agent-id'] !== expected.agentId) {
    throw new DrpRefusal(403, 'agent_mismatch', 'agent-id is not the agent this token belongs to')
  }
  required('business-id')
  if (claims['business-id'] !== undefined && claims['business-id'] !== expected.businessId) {
    throw new DrpRefusal(403, 'business_mismatch', 'business-id is not this business')
  }
  required('issued-at')
  const issuedAt = instantOf(claims, 'issued-at')
  // §3.07: a message from the future is refused (a fast clock could issue far expiries).
  if (issuedAt !== undefined && issuedAt.getTime() > expected.now.getTime()) {
    throw new DrpRefusal(403, 'not_yet_valid', 'issued-at is in the future')
  }
  required('expires-at')
  const expiresAt = instantOf(claims, 'expires-at')
  if (expiresAt !== undefined && expiresAt.getTime() <= expected.now.getTime()) {
    throw new DrpRefusal(403, 'expired', 'The signed message has expired (expires-at)', true)
  }
  if (
    expiresAt !== undefined &&
    expiresAt.getTime() - (issuedAt ?? expected.now).getTime() > maxValidityMs
  ) {
    throw new DrpRefusal(
      400,
      'too_long',
      'expires-at may be at most an hour after issued-at (§2.01 recommends ten minutes)',
      true,
    )
  }
  return expiresAt
}

/** The replay hash of a signed message: its exact bytes, signature included. */
export function messageHash(signed: Buffer): string {
  return createHash('sha256').update(signed).digest('hex')
}

/** The stored form of a pair-wise token, and of an agent's request id. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(`custodian/drp-token/v1\0${token}`).digest('hex')
}

export function agentRequestHash(agentId: string, agentRequestId: string): string {
  return createHash('sha256')
    .update(`custodian/drp-agent-request/v1\0${agentId}\0${agentRequestId}`)
    .digest('hex')
}
