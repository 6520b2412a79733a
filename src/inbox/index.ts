/**
 * Inbox: conversations between a workspace and a person (a contact or an anonymous
 * visitor), their messages with sealed bodies and attachments, sensitive-data detection
 * on every write with findings operators see and redact in place, and enrichment of the
 * person's public profile with provenance. Other modules import only from here.
 */
export {
  defaultDetectionThreshold,
  type DetectOptions,
  detectSensitiveData,
  type Finding,
  type FindingKind,
  findingKinds,
} from '../detection/index.js'
export { inboxSettings, type InboxSettings } from './inbox.settings.js'
export {
  type EnrichmentProvider,
  type EnrichedProfile,
  enrichedFields,
} from './enrichment/provider.js'
export { createDirectoryProvider } from './enrichment/directory-provider.js'
export {
  createHttpProvider,
  refuseEveryTransfer,
  type TransferGuard,
} from './enrichment/http-provider.js'
export type { InboxDeps } from './inbox.deps.js'
export { inboxJobs } from './inbox.jobs.js'
export { registerInboxRoutes } from './inbox.routes.js'
export { inboxPersonalData, inboxTables } from './personal-data.js'
export { inboxEnrichmentProviders } from './enrichment/providers.js'
