import { createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'

let kantaraValidator: ValidateFunction | undefined

/**
 * The Kantara Initiative's own Consent Receipt v1.1 JSON schema (a verbatim copy in
 * `consent/kantara/`, see its README), compiled by Ajv. The file's two `//` comment lines
 * are dropped, and its draft-04 `$schema` line (every keyword it uses means the same in
 * the draft Ajv speaks); nothing else is changed.
 */
export function kantaraSchemaValidator(): ValidateFunction {
  if (kantaraValidator !== undefined) return kantaraValidator
  const text = readFileSync(
    new URL('../kantara/kantara-consent-receipt-v1_1-schema.json', import.meta.url),
    'utf8',
  )
  const withoutComments = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n')
  const schema = JSON.parse(withoutComments) as Record<string, unknown>
  delete schema.$schema
  kantaraValidator = new Ajv({ allErrors: true, strict: false }).compile(schema)
  return kantaraValidator
}

/** The specification's own example receipt, which its schema must accept. */
export function kantaraExample(): unknown {
  return JSON.parse(
    readFileSync(
      new URL('../kantara/kantara-consent-receipt-v1_1-example.json', import.meta.url),
      'utf8',
    ),
  )
}

/**
 * Verifies a compact JWS with Node's own crypto and the published JWK, by RFC 7515 §5.2
 * by hand: no JOSE library involved. Answers the payload, or undefined when the
 * signature, the algorithm or the key does not match.
 */
export function verifyCompactWithNodeCrypto(
  jws: string,
  keys: readonly { kid: string; kty: string; crv: string; x: string }[],
): unknown {
  const [header, payload, signature, ...rest] = jws.split('.')
  if (header === undefined || payload === undefined || signature === undefined) return undefined
  if (rest.length > 0) return undefined
  const protectedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
    alg?: string
    kid?: string
  }
  if (protectedHeader.alg !== 'EdDSA') return undefined
  const jwk = keys.find((key) => key.kid === protectedHeader.kid)
  if (jwk === undefined) return undefined
  const publicKey = createPublicKey({
    key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x },
    format: 'jwk',
  })
  const valid = verify(
    null,
    Buffer.from(`${header}.${payload}`, 'ascii'),
    publicKey,
    Buffer.from(signature, 'base64url'),
  )
  return valid ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : undefined
}
