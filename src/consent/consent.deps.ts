import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import type { Database } from '../storage/index.js'
import type { SettingsDocument } from '../workspaces/index.js'
import type { ConsentSource } from './ledger.logic.js'

/** What the consent services need, passed in by the composition root. */
export interface ConsentDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordMany' | 'recordSoon'>
  clock: Clock
  /**
   * The instance's base URL: receipts link the workspace's privacy notice and the key set
   * that verifies their signature. Receipts cannot be given without it.
   */
  publicUrl?: () => string
}

/**
 * Who records a ledger entry, through which door, and the proof of it. `ip` and
 * `userAgent` are the end-user's (the browser's own request for the SDK; what the
 * customer's server relays for the API) and are sealed before they are stored.
 */
export interface LedgerContext {
  source: ConsentSource
  actor: Actor
  requestId?: string | null
  ip?: string | null
  userAgent?: string | null
  /** The address the request came from, for the audit log (a server's, for the API). */
  callerIp?: string | null
}

/**
 * The workspace as the decision needs it; a `Workspace` from the workspaces service fits.
 * Its settings are read with `consentSettings`: this module's fields, defaults filled in.
 */
export interface ConsentWorkspace {
  id: string
  settings: SettingsDocument
}
