import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { Keyring } from '../crypto/index.js'
import type { MailTransport } from '../mail/index.js'
import type { PersonalDataRegistry } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import type { TransferDeps } from '../transfers/index.js'
import type { DataMapFile } from './data-map/data-map.schema.js'
import type { TranslationTable } from './notice/translations.js'

/** What governance needs, made once by the composition root (`createGovernanceDeps`). */
export interface GovernanceDeps {
  readonly db: Database
  readonly keyring: Keyring
  readonly audit: Pick<AuditLog, 'record'>
  readonly clock: Clock
  /** The instance's data map (data-map.yaml), checked against the registry at start. */
  readonly dataMap: DataMapFile
  /** Where the map came from, named in messages. */
  readonly dataMapFile: string
  /** The privacy notice's translation table (notice/translations.yaml), read at start. */
  readonly translations: TranslationTable
  readonly registry: PersonalDataRegistry
  /** The sub-processor registry, for recipients and transfers in the records. */
  readonly transfers: TransferDeps
  /** Base URL of the instance: public links in the records and the notice. */
  readonly publicUrl: () => string
  /** Where overdue DPIA reviews are mailed to. */
  readonly mail: MailTransport
  /** The workspace's DPOs' addresses (reading them is audited by identity). */
  readonly dpoAddresses: (workspaceId: string) => Promise<string[]>
}
