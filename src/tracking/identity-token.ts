import { timingSafeEqual } from 'node:crypto'
import type { BlindIndexer } from '../crypto/index.js'

/**
 * Identity verification for identify from the browser. The public key sits in every
 * page, so anyone could otherwise send `identify` naming someone else's external id:
 * their own consents would be merged into that person's (the later choice wins), their
 * events would join that person's history, and the consent view of their anonymous id
 * would show that person's choices. So an event sent with the public key may name an
 * external id only with the token the customer's server got for it
 * (`POST /v1/identity-tokens`, secret key) and put in the page for the signed-in user.
 *
 * The token is a keyed HMAC under the workspace's index key (which only the keyring
 * holds, wrapped by the master key), over the external id behind a NUL-separated domain
 * tag, so it equals no blind index the database stores for an ordinary id.
 */
export function identityTokenOf(indexer: BlindIndexer, externalId: string): string {
  return indexer
    .index('external_id', `\u0000identity-token/v1\u0000${externalId}`)
    .toString('base64url')
}

export function isValidIdentityToken(
  indexer: BlindIndexer,
  externalId: string,
  token: string | undefined,
): boolean {
  if (token === undefined) return false
  const expected = Buffer.from(identityTokenOf(indexer, externalId))
  const offered = Buffer.from(token)
  return offered.length === expected.length && timingSafeEqual(offered, expected)
}
