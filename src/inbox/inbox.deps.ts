import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Database } from '../storage/index.js'
import type { detectSensitiveData } from '../detection/index.js'
import type { EnrichmentProvider } from './enrichment/provider.js'

/** What the inbox's services need, made once by the composition root. */
export interface InboxDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordMany' | 'recordSoon'>
  clock: Clock
  /** The enrichment providers this instance has, by name; none when it has none. */
  enrichment: ReadonlyMap<string, EnrichmentProvider>
  /**
   * The detection every message runs: `detectSensitiveData` unless replaced. Only
   * bench/inbox.bench.ts replaces it (with none), to measure what detection adds to a write.
   */
  detect?: typeof detectSensitiveData
}

/** The largest attachment kept, before sealing: a support chat's screenshot, not an archive. */
export const maxAttachmentBytes = 5 * 1024 * 1024

/** The longest message body, in characters. */
export const maxBodyLength = 20_000
