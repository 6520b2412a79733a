import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Database } from '../storage/index.js'

/** What the registry and the transfer guard need, made once by the composition root. */
export interface TransferDeps {
  readonly db: Database
  readonly audit: Pick<AuditLog, 'record'>
  readonly clock: Clock
  /** CUSTODIAN_REGION: storage and backup destinations must lie inside it. */
  readonly instanceRegion: string
}
