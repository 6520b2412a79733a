import { pino } from 'pino'
import { createAuditLog } from '../audit/index.js'
import { systemClock } from '../clock.js'
import type { Config } from '../config.js'
import { openKeyring } from '../crypto/index.js'
import type { Actor } from '../identity/index.js'
import { createLogger } from '../logger.js'
import { type Core, createModules, type Modules } from '../modules.js'
import { migrateToLatest } from '../storage/index.js'
import { openStorage } from '../storage/index.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'

/** What a CLI command works with: the same modules, store, keys and audit log as `serve`. */
export interface CliContext {
  readonly modules: Modules
  /** The platform admin at the terminal, as the audit log names them. */
  readonly actor: Actor
}

const platformAdmin: Actor = Object.freeze({ actorType: 'system', actorId: null })

/** A command's context on a core its caller opened; `withCliContext` opens one itself. */
export function cliContextOn(core: Core): CliContext {
  return Object.freeze({ modules: createModules(core), actor: platformAdmin })
}

/**
 * Opens the store (migrating it, so a new user can run any command before `serve`),
 * the keyring and the audit log, builds the modules on them, runs `work`, and closes
 * everything in order. Logs go to standard error so `--json` output on standard output
 * stays parseable.
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
    const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`
    const context = cliContextOn({
      config,
      storage,
      keyring,
      audit,
      clock,
      logger,
      publicUrl: () => publicUrl,
    })
    try {
      return await work(context)
    } finally {
      await context.modules.close()
      await audit.close()
      await keyring.close()
    }
  } finally {
    await storage.close()
  }
}
