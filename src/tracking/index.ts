import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import { createGeoLocator, type GeoLocator } from './geo-ip.js'
import { createEventWriter } from './group-commit.js'
import type { TrackingDeps } from './tracking.deps.js'
import { createUserAgentParser } from './user-agent.logic.js'

/**
 * Tracking: the ingest API for page, track and identify events, consent-gated,
 * enriched (user agent, offline geo-IP), sealed one envelope per event and written by
 * group commit; and the read of one visitor's events.
 */
export { registerBrowserCors } from './browser-cors.js'
export { trackingPersonalData, trackingTables } from './personal-data.js'
export { geoAttribution } from './geo-ip.js'
export { type IngestResult, ingestEvents } from './ingest-events.js'
export type { TrackingDeps } from './tracking.deps.js'
export { registerTrackingRoutes } from './tracking.routes.js'

export interface TrackingSetup {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordMany' | 'recordSoon'>
  clock: Clock
  logger: Logger
  /** The offline geo-IP database; the one shipped in the npm package by default. */
  geo?: GeoLocator
}

/**
 * Makes the module's long-lived parts once (the group-commit writer, the geo-IP reader,
 * the user-agent cache); the composition root holds them and closes them with
 * `closeTrackingDeps` after the last request, before the storage under them closes.
 */
export function createTrackingDeps(setup: TrackingSetup): TrackingDeps {
  return {
    ...setup,
    writer: createEventWriter(setup.db, { logger: setup.logger }),
    geo: setup.geo ?? createGeoLocator(),
    parseUserAgent: createUserAgentParser(),
  }
}

/** Commits the events still queued, then lets the geo-IP reader go. */
export async function closeTrackingDeps(deps: TrackingDeps): Promise<void> {
  await deps.writer.close()
  deps.geo.close()
}
export { trackingSettings, type TrackingSettings } from './tracking.settings.js'
