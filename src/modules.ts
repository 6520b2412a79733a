import type { AuditLog, AuditRouteDeps } from './audit/index.js'
import { type BreachDeps, breachJobs, loadThresholds } from './breach/index.js'
import { type RetentionDeps, retentionJobs } from './retention/index.js'
import type { Clock } from './clock.js'
import type { Config } from './config.js'
import type { ConsentDeps } from './consent/index.js'
import type { ContactDeps } from './contacts/index.js'
import type { Keyring } from './crypto/index.js'
import type { HashSlots } from './identity/index.js'
import { type InboxDeps, inboxEnrichmentProviders, inboxJobs } from './inbox/index.js'
import type { IdentityDeps, SessionPolicy } from './identity/index.js'
import type { ScryptCost } from './identity/index.js'
import { createGovernanceDeps, type GovernanceDeps, governanceJobs } from './governance/index.js'
import type { Logger } from './logger.js'
import type { SigningDeps } from './signing/index.js'
import { createMailTransport, type MailTransport } from './mail/index.js'
import { createRegistryOfModules } from './personal-data-sources.js'
import { readOperators } from './identity/index.js'
import { type RightsDeps, rightsJobs } from './rights/index.js'
import { type CallbackTransfer, type DrpDeps, drpJobs } from './drp/index.js'
import type { Job } from './jobs/index.js'
import { composeWorkspaceSettings } from './settings-fragments.js'
import type { PersonalDataRegistry } from './personal-data/index.js'
import { refreshStatistics, type Storage } from './storage/index.js'
import { workspaceDirectory } from './workspaces/index.js'
import type { SubjectsDeps } from './subjects/index.js'
import { closeTrackingDeps, createTrackingDeps, type TrackingDeps } from './tracking/index.js'
import { guardMailRelay, guardTransfer, type TransferDeps } from './transfers/index.js'
import type { WorkspaceDeps } from './workspaces/index.js'

/**
 * What a composition root opens once per process, before any module: `serve`
 * (main.ts), each CLI command (cli/context.ts), a test's app (testing/test-app.ts).
 * The root closes these itself, in reverse order, after `Modules.close`.
 */
export interface Core {
  readonly config: Config
  readonly storage: Storage
  readonly logger: Logger
  readonly clock: Clock
  readonly keyring: Keyring
  readonly audit: AuditLog
  /** Base URL people open (setup links); read late, as the port may be known only after listen. */
  readonly publicUrl: () => string
  /** Password hashing cost; the OWASP default unless a test lowers it. */
  readonly passwordCost?: ScryptCost
  /** Session and lockout limits; defaults in identity/identity.deps.ts. */
  readonly sessionPolicy?: Partial<SessionPolicy>
  /** Slots bounding concurrent password hashes; the process's own when absent. */
  readonly hashSlots?: HashSlots
  /**
   * Where mail goes; when absent, the configured one (SMTP, or the outbox under the data
   * directory) is made at the first mail, so a command that sends none warns of nothing.
   */
  readonly mail?: MailTransport
  /** The data map to check the registry against; the repository's data-map.yaml when absent. */
  readonly dataMapFile?: string
}

/** Every module's dependencies, built once on one core: what routes and commands take. */
export interface Modules {
  /** The instances every module below is built on; no module opens its own. */
  readonly core: Core
  readonly identity: Readonly<IdentityDeps>
  readonly workspaces: Readonly<WorkspaceDeps>
  readonly audit: Readonly<AuditRouteDeps>
  /** Contacts ask consent before enrichment (`mayProcess`), so they hold consent's needs too. */
  readonly contacts: Readonly<ContactDeps & ConsentDeps>
  readonly consent: Readonly<ConsentDeps>
  readonly tracking: Readonly<TrackingDeps>
  /**
   * The personal-data registry (DESIGN.md principle 8): one source per module that holds
   * personal data, listed once in personal-data-sources.ts, as the migrations are listed
   * in storage/. Rights, retention, backups and governance walk it and never another
   * module's tables.
   */
  readonly personalData: PersonalDataRegistry
  /** The person: resolving, exporting and erasing them across the registry. */
  readonly subjects: Readonly<SubjectsDeps>
  /** Conversations, sensitive-data detection and redaction, enrichment with provenance. */
  readonly inbox: Readonly<InboxDeps>
  /** Data subject requests (Chapter III): their queue, clocks, verification and fulfilment. */
  readonly rights: Readonly<RightsDeps>
  /** The sub-processor registry and the transfer guard every outbound path calls. */
  readonly transfers: TransferDeps
  /** Each workspace's signing keys: signed consent receipts and the public JWK sets. */
  readonly signing: SigningDeps
  /** The data map, records of processing, the privacy notice, DPIAs and the risk register. */
  readonly governance: GovernanceDeps
  /** The Data Rights Protocol door: authorised agents file into the rights module. */
  readonly drp: Readonly<DrpDeps>
  /** Security operations: detection over the audit stream, alerts, the breach register. */
  readonly breach: BreachDeps
  /** Storage limitation: every source's retention rules, run daily and by `retention run`. */
  readonly retention: RetentionDeps
  /** Every module's periodic jobs, for the one scheduler `serve` runs. */
  readonly jobs: readonly Job[]
  /**
   * Lets go of what modules hold open: tracking's queued events are committed. Call it
   * after the last request (the app closed) and before the core's audit log, keyring
   * and storage close.
   */
  close(): Promise<void>
}

/**
 * The one place modules are wired: each module's dependencies are made here once from
 * the core, frozen, and handed to `buildApp` and to every CLI command. A new module is
 * one more line here. No singletons: two calls make two independent sets.
 */
export function createModules(core: Core): Modules {
  const frozenCore: Core = Object.freeze({ ...core })
  const { storage, keyring, audit, clock, logger, config } = frozenCore
  const db = storage.db
  const tracking = Object.freeze(createTrackingDeps({ db, keyring, audit, clock, logger }))
  const personalData = createRegistryOfModules({ db, keyring })
  const identity = Object.freeze(identityDepsOf(frozenCore))
  const consent = Object.freeze({ db, keyring, audit, clock, publicUrl: frozenCore.publicUrl })
  const contacts = Object.freeze({ db, keyring, audit, clock })
  const subjects = Object.freeze({ db, keyring, audit, clock, registry: personalData })
  const transfers: TransferDeps = Object.freeze({ db, audit, clock, instanceRegion: config.region })
  // The SMTP relay is a sub-processor: every message asks the transfer guard first.
  const inbox = Object.freeze({
    db,
    keyring,
    audit,
    clock,
    // Chapter V: the email goes to the enrichment service only if the transfer guard
    // finds it registered, with a DPA, for these categories, in a safe country.
    enrichment: inboxEnrichmentProviders(config, async (transfer) => {
      await guardTransfer(transfers, {
        workspaceId: transfer.workspaceId,
        kind: 'enrichment',
        recipient: { host: transfer.recipient },
        categories: transfer.categories,
      })
    }),
  })
  const mail =
    frozenCore.mail ??
    lazyMailTransport(() =>
      guardMailRelay(transfers, config.smtpUrl, createMailTransport(config, logger, { clock })),
    )
  const system = { actorType: 'system' as const, actorId: null }
  // Art. 38–39: the DPO watches the deadlines; reading their addresses is audited.
  const dpoAddresses = async (workspaceId: string) =>
    (await readOperators(identity, { workspaceId, actor: system }))
      .filter((operator) => operator.role === 'dpo' && operator.disabledAt === null)
      .map((operator) => operator.email)
  // Refuses to start when the data map misses a category some module holds.
  const workspaceSettings = composeWorkspaceSettings()
  const governance = createGovernanceDeps({
    workspaceSettingsSchema: workspaceSettings.schema,
    db,
    keyring,
    audit,
    clock,
    registry: personalData,
    transfers,
    publicUrl: frozenCore.publicUrl,
    mail,
    dpoAddresses,
    ...(frozenCore.dataMapFile === undefined ? {} : { dataMapFile: frozenCore.dataMapFile }),
  })
  const rights: RightsDeps = Object.freeze({
    db,
    keyring,
    audit,
    clock,
    logger,
    registry: personalData,
    subjects,
    consent,
    contacts,
    mail,
    publicUrl: frozenCore.publicUrl,
    dpoAddresses,
  })
  const drp: DrpDeps = Object.freeze({
    db,
    keyring,
    audit,
    clock,
    logger,
    rights,
    // A status callback carries a link to the person's export: it leaves only for a host
    // the sub-processor registry knows, with a DPA and a lawful transfer (DESIGN 6).
    guardTransfer: (transfer: CallbackTransfer) => guardTransfer(transfers, transfer),
  })
  const breach: BreachDeps = Object.freeze({
    db,
    keyring,
    audit,
    clock,
    logger,
    thresholds: loadThresholds(config.breachRulesFile),
    transfers,
    contacts,
    ...(config.alertWebhookUrl === undefined ? {} : { webhookUrl: config.alertWebhookUrl }),
    tellDpos: async (workspaceId: string, subject: string, text: string) => {
      for (const to of await dpoAddresses(workspaceId)) await mail.send({ to, subject, text })
    },
  })
  const retention: RetentionDeps = Object.freeze({
    db,
    audit,
    clock,
    logger,
    registry: personalData,
    instanceSettings: Object.freeze(
      config.auditRetentionDays === undefined
        ? {}
        : { auditRetentionDays: config.auditRetentionDays },
    ),
  })
  return Object.freeze({
    core: frozenCore,
    identity,
    workspaces: Object.freeze({
      db,
      audit,
      clock,
      keyring,
      instanceRegion: config.region,
      settings: workspaceSettings,
    }),
    audit: Object.freeze({ audit }),
    contacts,
    consent,
    tracking,
    personalData,
    subjects,
    inbox,
    rights,
    transfers,
    signing: Object.freeze({ db, keyring, audit, clock }),
    governance,
    drp,
    breach,
    retention,
    jobs: Object.freeze([
      ...breachJobs(breach),
      ...retentionJobs(retention),
      ...rightsJobs(rights),
      ...governanceJobs(governance),
      ...drpJobs(drp),
      ...inboxJobs(inbox),
      {
        name: 'storage-statistics',
        everyMs: 60 * 60_000,
        leaseMs: 10 * 60_000,
        run: async () => {
          await refreshStatistics(db)
          return 'planner statistics refreshed'
        },
      },
    ]),
    close: async () => {
      await closeTrackingDeps(tracking)
      // A transport the core handed in is the core's to close.
      if (frozenCore.mail === undefined) await mail.close()
    },
  })
}

/** A transport made at its first mail, so commands that send none never open one. */
function lazyMailTransport(make: () => MailTransport): MailTransport {
  let made: MailTransport | undefined
  return {
    send: (mail) => (made ??= make()).send(mail),
    close: async () => {
      await made?.close()
    },
  }
}

function identityDepsOf(core: Core): IdentityDeps {
  return {
    db: core.storage.db,
    workspaces: workspaceDirectory(core.storage.db),
    keyring: core.keyring,
    audit: core.audit,
    clock: core.clock,
    publicUrl: core.publicUrl,
    ...(core.passwordCost ? { passwordCost: core.passwordCost } : {}),
    ...(core.sessionPolicy ? { policy: core.sessionPolicy } : {}),
    ...(core.hashSlots ? { hashSlots: core.hashSlots } : {}),
  }
}
