import { timingSafeEqual } from 'node:crypto'
import type { BlindIndexer } from '../crypto/index.js'

/**
 * The visitor's credential for their own conversations. The public key sits in every
 * page, and a conversation id may leak (a log, a screenshot), so with the public key a
 * conversation opens only with the token of the anonymous id that started it. The token
 * is a keyed HMAC under the workspace's index key over the anonymous id behind a
 * NUL-separated domain tag (as identity tokens are), so it equals no stored blind index.
 *
 * The token carries the anonymous id (base64url) and its MAC, so one header
 * (`x-visitor-token`) says who the visitor is and proves it. The visitor gets it once, when they start their first conversation; from then on
 * every call with the public key, starting another conversation included, must carry it,
 * so knowing someone's anonymous id is no longer enough. A customer's server (secret
 * key) can hand it to its page for a visitor who already has conversations.
 */
export function visitorTokenOf(indexer: BlindIndexer, anonymousId: string): string {
  return `${Buffer.from(anonymousId, 'utf8').toString('base64url')}.${macOf(indexer, anonymousId)}`
}

/** The anonymous id a token was made for, when it is genuine; undefined otherwise. */
export function visitorOfToken(indexer: BlindIndexer, token: string): string | undefined {
  const dot = token.indexOf('.')
  if (dot <= 0) return undefined
  const anonymousId = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')
  if (anonymousId === '' || anonymousId.length > 200) return undefined
  const expected = Buffer.from(macOf(indexer, anonymousId))
  const offered = Buffer.from(token.slice(dot + 1))
  return offered.length === expected.length && timingSafeEqual(offered, expected)
    ? anonymousId
    : undefined
}

function macOf(indexer: BlindIndexer, anonymousId: string): string {
  return indexer
    .index('anonymous_id', `\u0000visitor-token/v1\u0000${anonymousId}`)
    .toString('base64url')
}
