import { LruCache } from '../lru.js'

/**
 * How fast one address may call the public-key routes (ingest, consent, the visitor's
 * inbox) with one workspace's public key. The public key is in every page's source, so
 * it authenticates nobody: the limit per address is what stops one machine from
 * flooding a workspace's ledger or inbox (Art. 32(1)(b): resilience of the service).
 */
export interface PublicKeyLimits {
  /** Requests per second one address may sustain with one key. */
  readonly perSecond: number
  /** Requests one address may send at once before the sustained rate applies. */
  readonly burst: number
}

export interface PublicKeyLimiter {
  /** Takes one request for `key`: undefined when allowed, else seconds until one is. */
  take(key: string): number | undefined
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * A token bucket per address and key, in this process's memory: synchronous, so
 * concurrent requests cannot both take the last token. The buckets are bounded (an
 * evicted bucket starts full again, which only ever errs towards letting a caller in);
 * with N processes behind a balancer an address gets up to N times the rate, so put the
 * limit in the proxy too when that matters.
 */
export function createPublicKeyLimiter(
  limits: PublicKeyLimits,
  now: () => number = () => performance.now(),
  capacity = 100_000,
): PublicKeyLimiter {
  const buckets = new LruCache<string, Bucket>(capacity)
  return {
    take(key) {
      const at = now()
      const bucket = buckets.get(key) ?? { tokens: limits.burst, at }
      const refilled = Math.min(
        limits.burst,
        bucket.tokens + ((at - bucket.at) / 1000) * limits.perSecond,
      )
      if (refilled < 1) {
        buckets.set(key, { tokens: refilled, at })
        return Math.max(1, Math.ceil((1 - refilled) / limits.perSecond))
      }
      buckets.set(key, { tokens: refilled - 1, at })
      return undefined
    },
  }
}
