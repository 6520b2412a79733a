import Bowser from 'bowser'
import { LruCache } from '../lru.js'
import type { DeviceType } from './tracking.table.js'

/** What an event keeps readable of a user agent: coarse facts shared by millions. */
export interface ParsedUserAgent {
  browser: string | null
  /** The major version only: the full build number narrows a device down. */
  browserVersion: string | null
  os: string | null
  device: DeviceType
}

const unknown: ParsedUserAgent = Object.freeze({
  browser: null,
  browserVersion: null,
  os: null,
  device: 'unknown',
})

const platformTypes: Readonly<Record<string, DeviceType>> = {
  desktop: 'desktop',
  mobile: 'mobile',
  tablet: 'tablet',
  tv: 'tv',
  bot: 'bot',
}

/** Parses a user agent with bowser (MIT, maintained): browser, OS and device type. */
export function parseUserAgent(userAgent: string | null): ParsedUserAgent {
  if (userAgent === null || userAgent.trim() === '') return unknown
  const parsed = Bowser.parse(userAgent)
  const major = parsed.browser.version?.split('.')[0]
  return {
    browser: parsed.browser.name ?? null,
    browserVersion: major !== undefined && /^\d{1,6}$/.test(major) ? major : null,
    os: parsed.os.name ?? null,
    device: platformTypes[parsed.platform.type ?? ''] ?? 'unknown',
  }
}

/**
 * The same, remembering recent answers: a batch, and a visitor's next batches, carry
 * the same user agent, and parsing runs dozens of regular expressions.
 */
export function createUserAgentParser(
  capacity = 2_000,
): (userAgent: string | null) => ParsedUserAgent {
  const cache = new LruCache<string, ParsedUserAgent>(capacity)
  return (userAgent) => {
    if (userAgent === null) return unknown
    const known = cache.get(userAgent)
    if (known !== undefined) return known
    const parsed = Object.freeze(parseUserAgent(userAgent))
    cache.set(userAgent, parsed)
    return parsed
  }
}
