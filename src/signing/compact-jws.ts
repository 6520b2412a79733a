import { createHash, type KeyObject, sign } from 'node:crypto'

/** A public Ed25519 key as a JWK (RFC 8037). */
export interface Ed25519PublicJwk {
  readonly kty: 'OKP'
  readonly crv: 'Ed25519'
  readonly x: string
}

/** The JWK thumbprint (RFC 7638): SHA-256 of the required members in lexical order. */
export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })
  return createHash('sha256').update(canonical).digest('base64url')
}

export interface JwsHeader {
  readonly alg: 'EdDSA'
  readonly kid: string
  /** Where the key set that verifies it is published (RFC 7515 §4.1.2). */
  readonly jku: string
  readonly typ: string
  readonly cty: string
}

/**
 * A compact JWS (RFC 7515 §7.1) of the JSON payload, signed with Ed25519 (`EdDSA`, RFC
 * 8037): BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature). The payload is
 * signed as serialised here, so the bytes a verifier checks are the receipt's bytes.
 */
export function signCompact(payload: unknown, header: JwsHeader, privateKey: KeyObject): string {
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url')
  const encodedPayload = Buffer.from(JSON.stringify(payload)).toString('base64url')
  const signingInput = `${encodedHeader}.${encodedPayload}`
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), privateKey)
  return `${signingInput}.${signature.toString('base64url')}`
}
