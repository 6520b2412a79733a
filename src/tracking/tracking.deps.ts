import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import type { GeoLocator } from './geo-ip.js'
import type { EventWriter } from './group-commit.js'
import type { ParsedUserAgent } from './user-agent.logic.js'

/** What the tracking services need, made once per process by `createTrackingDeps`. */
export interface TrackingDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordMany' | 'recordSoon'>
  clock: Clock
  logger?: Logger
  writer: EventWriter
  geo: GeoLocator
  parseUserAgent: (userAgent: string | null) => ParsedUserAgent
}
