import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { ContactDeps } from '../contacts/index.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { Database } from '../storage/index.js'
import type { TransferDeps } from '../transfers/index.js'
import type { Thresholds } from './rules.logic.js'

/** What the breach module needs, made once by `createModules`. */
export interface BreachDeps {
  readonly db: Database
  readonly keyring: Keyring
  readonly audit: AuditLog
  readonly clock: Clock
  readonly logger: Logger
  readonly thresholds: Thresholds
  /** The transfer guard's dependencies: every alert webhook asks it first (DESIGN 6). */
  readonly transfers: TransferDeps
  /** Where alerts are posted; none when unset. */
  readonly webhookUrl?: string
  /** Reveals affected contacts to an authorised operator, each read audited there. */
  readonly contacts: ContactDeps
  /**
   * Mails the workspace's DPOs (Art. 38–39: they watch the deadlines); the composition
   * root wires the mail transport, itself behind the transfer guard. None in some tests.
   */
  readonly tellDpos?: (workspaceId: string, subject: string, text: string) => Promise<void>
}
