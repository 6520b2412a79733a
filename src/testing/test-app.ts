import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOutboxTransport } from '../mail/index.js'
import { type App, buildApp } from '../app.js'
import { type AuditLog, createAuditLog } from '../audit/index.js'
import { ManualClock } from '../clock.js'
import { type Config, loadConfig } from '../config.js'
import { type Keyring, openKeyring } from '../crypto/index.js'
import { createModules, type Modules } from '../modules.js'
import type { DialectName, Storage } from '../storage/index.js'
import { openTestStorage } from '../storage/testing/dialects.js'
import { type CapturedLogs, captureLogs } from './log-capture.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'

export interface TestApp {
  app: App
  storage: Storage
  logs: CapturedLogs
  clock: ManualClock
  config: Config
  keyring: Keyring
  audit: AuditLog
  /** The modules the app serves, for tests that set up data through a service. */
  modules: Modules
  /** The directory the app's mail goes to, as `.eml` files (read with mail/testing/outbox.ts). */
  outbox: string
  close(): Promise<void>
}

export interface TestAppOptions {
  dialect?: DialectName
  /** Settings over the test defaults; `CUSTODIAN_MASTER_KEY` is random unless given. */
  env?: NodeJS.ProcessEnv
  /**
   * A store to serve instead of a fresh one, already migrated, with the function that
   * removes it (called by `close`): the upgrade test opens data an older release made.
   */
  store?: { storage: Storage; cleanup: () => Promise<void> }
  /** Where the manual clock starts. */
  startAt?: Date | string
}

/** The real app on a fresh migrated store, with captured logs and a manual clock. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { storage, cleanup } = options.store ?? (await openTestStorage(options.dialect ?? 'sqlite'))
  const logs = captureLogs()
  const clock = new ManualClock(options.startAt)
  const config = loadConfig({
    env: {
      DATA_DIR: '/nonexistent',
      CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64'),
      CUSTODIAN_PUBLIC_URL: 'https://custodian.test',
      ...options.env,
    },
  })
  const keyring = await openKeyring({
    storage,
    config,
    logger: logs.logger,
    clock,
    sealedColumns: sealedColumnsOfModules(),
  })
  const audit = createAuditLog({ db: storage.db, keyring, clock, logger: logs.logger })
  const outbox = await mkdtemp(join(tmpdir(), 'custodian-outbox-'))
  const mail = createOutboxTransport({
    directory: outbox,
    sender: { name: 'Custodian', address: 'no-reply@custodian.test' },
    clock,
  })
  const modules = createModules({
    config,
    storage,
    logger: logs.logger,
    clock,
    keyring,
    audit,
    publicUrl: () => 'https://custodian.test',
    // The same scrypt at a test-sized cost: the production cost is 128 MiB per hash.
    passwordCost: { logN: 12, r: 8, p: 1 },
    mail,
  })
  const app = await buildApp({ modules })
  return {
    app,
    storage,
    logs,
    clock,
    config,
    keyring,
    audit,
    modules,
    outbox,
    async close() {
      await app.close()
      await modules.close()
      await mail.close()
      await rm(outbox, { recursive: true, force: true })
      await audit.close()
      await keyring.close()
      await cleanup()
    },
  }
}
