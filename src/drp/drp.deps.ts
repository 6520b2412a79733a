import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { RightsDeps } from '../rights/index.js'
import type { Database } from '../storage/index.js'
import type { TransferGuard } from './transfer-seam.js'

export interface DrpDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record' | 'recordSoon'>
  clock: Clock
  logger: Logger
  /** Exercises become rights requests: filed, read and withdrawn through the rights module. */
  rights: RightsDeps
  /** Asked before every status callback leaves the instance (transfer-seam.ts). */
  guardTransfer: TransferGuard
}
