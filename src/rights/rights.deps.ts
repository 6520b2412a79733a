import type { AuditLog } from '../audit/index.js'
import type { Clock } from '../clock.js'
import type { ConsentDeps } from '../consent/index.js'
import type { ContactDeps } from '../contacts/index.js'
import type { Keyring } from '../crypto/index.js'
import type { Logger } from '../logger.js'
import type { PersonalDataRegistry } from '../personal-data/index.js'
import type { Database } from '../storage/index.js'
import type { SubjectsDeps } from '../subjects/index.js'

/** One mail to one person; the transport adds the sender (src/mail). */
export interface RightsMail {
  to: string
  subject: string
  text: string
}

/** What the rights module needs of a mail transport: SMTP in production, an outbox in tests. */
export interface RightsMailer {
  send(mail: RightsMail): Promise<unknown>
}

/** Operators the reminder job writes to (Art. 38–39: the DPO watches the deadlines). */
export type DpoDirectory = (workspaceId: string) => Promise<readonly string[]>

export interface RightsDeps {
  db: Database
  keyring: Keyring
  audit: Pick<AuditLog, 'record'>
  clock: Clock
  logger: Logger
  registry: PersonalDataRegistry
  subjects: SubjectsDeps
  consent: ConsentDeps
  contacts: ContactDeps
  mail: RightsMailer
  /** The e-mail addresses of a workspace's operators with the `dpo` role. */
  dpoAddresses: DpoDirectory
  /** The base URL people open: download links in mails. */
  publicUrl: () => string
}
