import type { TrackingDeps } from './tracking.deps.js'
import { ipToStore, type IpStorage, type Origin, type Place } from './tracking.logic.js'
import type { ParsedUserAgent } from './user-agent.logic.js'

/** What the server adds to an event from the request it came with. */
export interface Enrichment {
  agent: ParsedUserAgent
  place: Place | null
  /** The address as the workspace keeps it: whole, truncated or not at all. */
  storedIp: string | null
  userAgent: string | null
}

/**
 * Enriches each distinct origin of a batch once: a browser's batch has one (its own
 * request), a server's may relay a few. Location is looked up from the full address
 * before it is cut down; a lookup that fails leaves the event without a location
 * rather than losing it.
 */
export async function enrichOrigins(
  deps: Pick<TrackingDeps, 'geo' | 'parseUserAgent' | 'logger'>,
  origins: readonly Origin[],
  ipStorage: IpStorage,
): Promise<(origin: Origin) => Enrichment> {
  const enriched = new Map<string, Enrichment>()
  const keyOf = (origin: Origin) => `${origin.ip ?? ''}\n${origin.userAgent ?? ''}`
  for (const origin of origins) {
    const key = keyOf(origin)
    if (enriched.has(key)) continue
    enriched.set(key, {
      agent: deps.parseUserAgent(origin.userAgent),
      place: origin.ip === null ? null : await locate(deps, origin.ip),
      storedIp: ipToStore(origin.ip, ipStorage),
      userAgent: origin.userAgent,
    })
  }
  return (origin) => {
    const found = enriched.get(keyOf(origin))
    if (found === undefined) throw new Error('unreachable: an origin was not enriched')
    return found
  }
}

async function locate(
  deps: Pick<TrackingDeps, 'geo' | 'logger'>,
  ip: string,
): Promise<Place | null> {
  try {
    return await deps.geo.locate(ip)
  } catch (error) {
    deps.logger?.warn({ err: error }, 'geo-IP lookup failed; events stored without location')
    return null
  }
}
