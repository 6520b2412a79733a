import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { pino } from 'pino'
import { systemClock } from '../clock.js'
import { hasKeyCheck } from '../crypto/index.js'
import { openKeyring } from '../crypto/index.js'
import type { RotationProgress, WorkspaceRotation } from '../crypto/index.js'
import { type Config, ConfigError } from '../config.js'
import { createLocalKeyProvider } from '../crypto/index.js'
import {
  readKeyFile,
  resolveMasterKey,
  stageDataDirKeyFile,
  usesDataDirKeyFile,
} from '../crypto/index.js'
import { changeMasterKey, type MasterKeyChange } from '../crypto/index.js'
import { AppError } from '../errors.js'
import { createLogger, type Logger } from '../logger.js'
import type { Storage } from '../storage/index.js'
import { openStorage } from '../storage/index.js'
import { registerKeysCreateCommand } from './keys-create.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'

interface RotateCommandOptions extends CommonOptions {
  workspace?: string
  reseal?: boolean
  newMasterKeyFile?: string
}

/**
 * `custodian keys rotate`: a new key version for every workspace (or one), every
 * subject key re-wrapped under it in batches, the old version destroyed once nothing
 * refers to it. Safe while `serve` runs: old versions keep opening until the end.
 * `--reseal` also gives every subject a new data key and re-encrypts its sealed values.
 *
 * `--new-master-key-file F` changes the master key instead: every key it wraps is
 * re-wrapped under the key in F, in one transaction (see changeMasterKey). With the
 * embedded default's `master.key`, that file is then replaced by the new key; otherwise
 * the administrator points CUSTODIAN_MASTER_KEY(_FILE) at it. Every process restarts.
 *
 * @example
 *   npx custodian keys rotate
 *   npx custodian keys rotate --workspace ws_123 --reseal --json
 *   npx custodian keys rotate --new-master-key-file /secure/master-2026.key --json
 *   # {"masterKey":{"workspaceKeys":3,"blindIndexKeys":2,"keyFile":null}}
 *   # {"workspaces":[{"workspaceId":"ws_123","fromVersion":1,"toVersion":2,"rewrapped":41,"retired":[1],"reseal":{...}}]}
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API keys and the encryption keys')
  registerKeysCreateCommand(keys)
  addCommonOptions(
    keys
      .command('rotate')
      .description('rotate workspace keys and re-wrap every subject key; no data is lost')
      .option('--workspace <id>', 'rotate this workspace only (default: every workspace)')
      .option('--reseal', 'also re-encrypt all sealed data under new subject keys')
      .option(
        '--new-master-key-file <path>',
        'change the master key instead: re-wrap every key under the key in this file',
      ),
  ).action(async (options: RotateCommandOptions) => {
    const config = configFrom(options)
    // Logs go to standard error, so `--json` output on standard output stays parseable.
    const logger = createLogger({
      level: config.logLevel,
      destination: pino.destination({ dest: 2, sync: true }),
    })
    if (options.newMasterKeyFile !== undefined && (options.workspace || options.reseal)) {
      throw new ConfigError(
        '--new-master-key-file',
        'changes the master key of the whole instance: run it without --workspace and --reseal',
      )
    }
    const storage = openStorage(config)
    try {
      if (options.newMasterKeyFile !== undefined) {
        await changeMasterKeyCommand(storage, config, logger, options, options.newMasterKeyFile)
        return
      }
      // A store that never held keys has nothing to rotate; opening would make a key.
      if (!(await hasKeyCheck(storage.db))) {
        report(options, { workspaces: [] }, `No keys yet at ${storage.location}: nothing to rotate`)
        return
      }
      const keyring = await openKeyring({
        storage,
        config,
        logger,
        clock: systemClock,
        sealedColumns: sealedColumnsOfModules(),
      })
      const progress = progressBar(options)
      try {
        const workspaces = await keyring.rotate({
          ...(options.workspace ? { workspaceId: options.workspace } : {}),
          reseal: options.reseal === true,
          onProgress: progress.update,
        })
        progress.stop()
        report(options, { workspaces }, describe(workspaces))
      } finally {
        progress.stop()
        await keyring.close()
      }
    } finally {
      await storage.close()
    }
  })
}

/** A bar on standard error when a person watches a terminal; nothing otherwise. */
function progressBar(options: CommonOptions): {
  update: (progress: RotationProgress) => void
  stop: () => void
} {
  if (options.json === true || !process.stderr.isTTY) {
    return { update: () => {}, stop: () => {} }
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{step} [{bar}] {value}/{total}',
    hideCursor: true,
    clearOnComplete: false,
  })
  let step: string | undefined
  let running = false
  return {
    update(progress) {
      const label = `${progress.workspaceId} ${progress.phase}${progress.table ? ` ${progress.table}` : ''}`
      if (label !== step) {
        if (running) bar.stop()
        bar.start(progress.total, progress.done, { step: label })
        step = label
        running = true
        return
      }
      bar.setTotal(progress.total)
      bar.update(progress.done)
    },
    stop() {
      if (running) bar.stop()
      running = false
    },
  }
}

function describe(workspaces: readonly WorkspaceRotation[]): string {
  if (workspaces.length === 0) return 'No workspace has keys yet: nothing to rotate'
  return workspaces
    .map((rotation) => {
      const retired =
        rotation.retired.length > 0 ? `, retired v${rotation.retired.join(', v')}` : ''
      const reseal = rotation.reseal
        ? `; re-sealed ${rotation.reseal.values} values in ${rotation.reseal.tables.length} tables (${rotation.reseal.skippedRows} rows skipped)`
        : ''
      return `${rotation.workspaceId}: key v${rotation.fromVersion} → v${rotation.toVersion}, ${rotation.rewrapped} subject keys re-wrapped${retired}${reseal}`
    })
    .join('\n')
}

async function changeMasterKeyCommand(
  storage: Storage,
  config: Config,
  logger: Logger,
  options: CommonOptions,
  newKeyFile: string,
): Promise<void> {
  if (!(await hasKeyCheck(storage.db))) {
    throw new AppError('conflict', `No keys yet at ${storage.location}: nothing to re-wrap`)
  }
  const current = createLocalKeyProvider(
    resolveMasterKey({ config, logger, databaseHasKeys: true }),
  )
  const newKey = readKeyFile(newKeyFile, '--new-master-key-file', logger)
  // The embedded default's master.key gets the new key: staged (written and synced)
  // before the database switches, renamed into place after.
  const staged = usesDataDirKeyFile(config)
    ? stageDataDirKeyFile(config.dataDir, newKey)
    : undefined
  let change: MasterKeyChange
  try {
    change = await changeMasterKey(storage.db, current, createLocalKeyProvider(newKey))
  } catch (error) {
    staged?.discard()
    throw error
  } finally {
    newKey.fill(0)
  }
  let keyFile: string | null = null
  if (staged !== undefined) {
    try {
      staged.install()
    } catch (error) {
      throw new AppError(
        'internal',
        `The database now uses the new master key, but ${staged.path} could not be replaced: copy ${newKeyFile} to ${staged.path} before the next start`,
        { cause: error },
      )
    }
    keyFile = staged.path
  }
  const next =
    keyFile === null
      ? 'Point CUSTODIAN_MASTER_KEY_FILE (or CUSTODIAN_MASTER_KEY) at the new key and restart every process.'
      : `${keyFile} now holds the new key: restart every process.`
  report(
    options,
    { masterKey: { ...change, keyFile } },
    `Re-wrapped ${String(change.workspaceKeys)} workspace keys and ${String(change.blindIndexKeys)} blind-index keys under the new master key. ${next} Keep the old key as long as any backup made before this change.`,
  )
}
