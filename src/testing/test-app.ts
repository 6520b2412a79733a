import { type App, buildApp } from '../app.js'
import { ManualClock } from '../clock.js'
import { type Config, loadConfig } from '../config.js'
import type { DialectName, Storage } from '../storage/database.js'
import { openTestStorage } from '../storage/testing/dialects.js'
import { type CapturedLogs, captureLogs } from './log-capture.js'

export interface TestApp {
  app: App
  storage: Storage
  logs: CapturedLogs
  clock: ManualClock
  config: Config
  close(): Promise<void>
}

/** The real app on a fresh migrated store, with captured logs and a manual clock. */
export async function buildTestApp(
  options: { dialect?: DialectName; env?: NodeJS.ProcessEnv } = {},
): Promise<TestApp> {
  const { storage, cleanup } = await openTestStorage(options.dialect ?? 'sqlite')
  const logs = captureLogs()
  const clock = new ManualClock()
  const config = loadConfig({ env: { DATA_DIR: '/nonexistent', ...options.env } })
  const app = await buildApp({ config, storage, logger: logs.logger, clock })
  return {
    app,
    storage,
    logs,
    clock,
    config,
    async close() {
      await app.close()
      await cleanup()
    },
  }
}
