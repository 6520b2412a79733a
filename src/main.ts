import { readFileSync } from 'node:fs'
import { type App, buildApp } from './app.js'
import { type AuditLog, createAuditLog } from './audit/index.js'
import { type Clock, systemClock } from './clock.js'
import type { Config } from './config.js'
import { type Keyring, openKeyring } from './crypto/index.js'
import { createLogger, type Logger } from './logger.js'
import { createModules } from './modules.js'
import type { Storage } from './storage/index.js'
import { ensureInstance } from './storage/index.js'
import { migrateToLatest } from './storage/index.js'
import { openStorage } from './storage/index.js'
import { sealedColumnsOfModules } from './personal-data-sources.js'
import { resumeErasures } from './subjects/index.js'
import { createScheduler } from './jobs/index.js'

/**
 * The composition root: config → storage → modules → server → listen. Everything is
 * made here and passed down; nothing else in the code base opens a database or listens.
 */
export interface RunningServer {
  readonly app: App
  readonly storage: Storage
  readonly logger: Logger
  readonly keyring: Keyring
  readonly audit: AuditLog
  /** The base URL the server answers on, with the port actually bound. */
  readonly url: string
  close(): Promise<void>
}

export interface StartOptions {
  logger?: Logger
  clock?: Clock
}

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel })
  const clock = options.clock ?? systemClock
  const storage = openStorage(config)
  // Whatever start-up opened is closed again if a later step fails: the keyring may hold
  // a connection of its own (the shred listener), which would keep the process alive.
  let openedKeyring: Keyring | undefined
  try {
    const migrations = await migrateToLatest(storage)
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'migrated')
    const instance = await ensureInstance(storage.db, clock, config.region)
    if (instance.region !== config.region) {
      logger.warn(
        { configured: config.region, stored: instance.region },
        'the configured region differs from the region this instance was created in; keeping the stored one',
      )
    }
    const tls = readTls(config)
    if (!tls) {
      logger.warn(
        'TLS is not configured: serve only on a private interface and terminate TLS in front (set --tls-cert and --tls-key to serve HTTPS here)',
      )
    }
    const keyring = await openKeyring({
      storage,
      config,
      logger,
      clock,
      listenForShreds: true,
      sealedColumns: sealedColumnsOfModules(),
    })
    openedKeyring = keyring
    const audit = createAuditLog({ db: storage.db, keyring, clock, logger })
    let url = ''
    const modules = createModules({
      config,
      storage,
      logger,
      clock,
      keyring,
      audit,
      publicUrl: () => config.publicUrl ?? url,
    })
    // Art. 17: an erasure a crash cut short (keys destroyed, rows left) is finished first.
    const resumed = await resumeErasures(modules.subjects)
    if (resumed.length > 0) {
      logger.warn({ erasures: resumed.length }, 'finished erasures a crash had left open')
    }
    const app = await buildApp({ modules, ...(tls ? { tls } : {}) })
    await app.listen({ port: config.port, host: config.host })
    // Periodic work of every module (rights reminders…), each run under a lease in the
    // database, so with several processes on one database a job runs once.
    const scheduler = createScheduler({ db: storage.db, clock, logger, jobs: modules.jobs })
    scheduler.start()
    url = serverUrl(app, config.host, tls !== undefined)
    logger.info(
      { url, storage: storage.dialect, region: instance.region },
      `Custodian is listening on ${url}`,
    )
    return {
      app,
      storage,
      logger,
      keyring,
      audit,
      url,
      async close() {
        // Fastify stops accepting and waits for in-flight requests; then queued events
        // are committed, the audit queue drains, clear keys are forgotten, and the store
        // closes last.
        await scheduler.stop()
        await app.close()
        await modules.close()
        await audit.close()
        await keyring.close()
        await storage.close()
      },
    }
  } catch (error) {
    await openedKeyring?.close().catch(() => {})
    await storage.close().catch(() => {})
    throw error
  }
}

function readTls(config: Config): { key: Buffer; cert: Buffer } | undefined {
  if (!config.tlsCertFile || !config.tlsKeyFile) return undefined
  try {
    return { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable'
    throw new Error(`Cannot read the TLS certificate or key (${reason})`, { cause: error })
  }
}

function serverUrl(app: App, host: string, https: boolean): string {
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host
  return `${https ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`
}
