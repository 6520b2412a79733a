import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildApp } from '../src/app.js'
import { createAuditLog } from '../src/audit/audit.service.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { testMasterKey } from '../src/crypto/testing/keyring.js'
import type { Logger } from '../src/logger.js'
import { createModules, type Modules } from '../src/modules.js'
import { sealedColumnsOfModules } from '../src/personal-data-sources.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import type { Storage } from '../src/storage/index.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { createWorkspace } from '../src/workspaces/workspaces.service.js'

/** A whole Custodian in this process on a fresh SQLite store, for the in-process benches. */
export interface InProcess {
  readonly dataDir: string
  readonly storage: Storage
  readonly modules: Modules
  readonly app: App
  readonly workspace: Awaited<ReturnType<typeof createWorkspace>>
}

const actor = { actorType: 'system' as const, actorId: null }

/**
 * Runs `body` against a new store with every module and one workspace (mail goes
 * nowhere), then closes and removes it, whatever `body` does.
 */
export async function withInProcess<T>(
  name: string,
  logger: Logger,
  body: (context: InProcess) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `custodian-bench-${name}-`))
  const storage = openSqlite(dataDir)
  const closers: Array<() => Promise<void>> = []
  try {
    await migrateToLatest(storage)
    const config = loadConfig({
      env: {
        DATA_DIR: dataDir,
        CUSTODIAN_MASTER_KEY: testMasterKey(),
        // One load generator on one address: a bench measures Custodian, not the limiter.
        CUSTODIAN_PUBLIC_KEY_RATE: '1000000',
        CUSTODIAN_PUBLIC_KEY_BURST: '10000000',
      },
    })
    const keyring = await openKeyring({
      storage,
      config,
      logger,
      clock: systemClock,
      sealedColumns: sealedColumnsOfModules(),
    })
    closers.unshift(() => keyring.close())
    const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock, logger })
    closers.unshift(() => audit.close())
    const modules = createModules({
      config,
      storage,
      logger,
      clock: systemClock,
      keyring,
      audit,
      publicUrl: () => 'https://custodian.bench',
      mail: { send: async () => ({ messageId: '<bench@custodian.bench>' }), close: async () => {} },
    })
    closers.unshift(() => modules.close())
    const app = await buildApp({ modules })
    closers.unshift(() => app.close())
    const workspace = await createWorkspace(modules.workspaces, { name: 'Bench', actor })
    return await body({ dataDir, storage, modules, app, workspace })
  } finally {
    for (const close of closers) await close()
    await storage.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
