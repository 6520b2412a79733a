import { pino } from 'pino'
import { type AuditLog, createAuditLog } from '../audit/audit.service.js'
import { type Clock, systemClock } from '../clock.js'
import type { Config } from '../config.js'
import { type Keyring, openKeyring } from '../crypto/keyring.js'
import type { IdentityDeps } from '../identity/identity.deps.js'
import type { Actor } from '../identity/principal.js'
import { createLogger, type Logger } from '../logger.js'
import type { Storage } from '../storage/database.js'
import { migrateToLatest } from '../storage/migrate.js'
import { openStorage } from '../storage/open-storage.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'

/** What a CLI command works with: the same store, keys and audit log as `serve`. */
export interface CliContext {
  config: Config
  storage: Storage
  keyring: Keyring
  audit: AuditLog
  clock: Clock
  logger: Logger
  /** The platform admin at the terminal, as the audit log names them. */
  actor: Actor
  identity: IdentityDeps
}

/**
 * Opens the store (migrating it, so a new user can run any command before `serve`),
 * the keyring and the audit log, runs `work`, and closes everything in order. Logs go
 * to standard error so `--json` output on standard output stays parseable.
 */
export async function withCliContext<T>(
  config: Config,
  work: (context: CliContext) => Promise<T>,
): Promise<T> {
  const logger = createLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    destination: pino.destination({ dest: 2, sync: true }),
  })
  const clock = systemClock
  const storage = openStorage(config)
  try {
    await migrateToLatest(storage)
    const keyring = await openKeyring({
      storage,
      config,
      logger,
      clock,
      sealedColumns: sealedColumnsOfModules(),
    })
    const audit = createAuditLog({ db: storage.db, keyring, clock, logger })
    try {
      const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`
      return await work({
        config,
        storage,
        keyring,
        audit,
        clock,
        logger,
        actor: { actorType: 'system', actorId: null },
        identity: { db: storage.db, keyring, audit, clock, publicUrl: () => publicUrl },
      })
    } finally {
      await audit.close()
      await keyring.close()
    }
  } finally {
    await storage.close()
  }
}
