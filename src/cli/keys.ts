import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import { pino } from 'pino'
import { systemClock } from '../clock.js'
import { hasKeyCheck } from '../crypto/key-check.js'
import { openKeyring } from '../crypto/keyring.js'
import type { RotationProgress, WorkspaceRotation } from '../crypto/rotate.js'
import { createLogger } from '../logger.js'
import { openStorage } from '../storage/open-storage.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface RotateCommandOptions extends CommonOptions {
  workspace?: string
  reseal?: boolean
}

/**
 * `custodian keys rotate`: a new key version for every workspace (or one), every
 * subject key re-wrapped under it in batches, the old version destroyed once nothing
 * refers to it. Safe while `serve` runs: old versions keep opening until the end.
 * `--reseal` also gives every subject a new data key and re-encrypts its sealed values.
 *
 * @example
 *   npx custodian keys rotate
 *   npx custodian keys rotate --workspace ws_123 --reseal --json
 *   # {"workspaces":[{"workspaceId":"ws_123","fromVersion":1,"toVersion":2,"rewrapped":41,"retired":[1],"reseal":{...}}]}
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage the encryption keys')
  addCommonOptions(
    keys
      .command('rotate')
      .description('rotate workspace keys and re-wrap every subject key; no data is lost')
      .option('--workspace <id>', 'rotate this workspace only (default: every workspace)')
      .option('--reseal', 'also re-encrypt all sealed data under new subject keys'),
  ).action(async (options: RotateCommandOptions) => {
    const config = configFrom(options)
    // Logs go to standard error, so `--json` output on standard output stays parseable.
    const logger = createLogger({
      level: config.logLevel,
      destination: pino.destination({ dest: 2, sync: true }),
    })
    const storage = openStorage(config)
    try {
      // A store that never held keys has nothing to rotate; opening would make a key.
      if (!(await hasKeyCheck(storage.db))) {
        report(options, { workspaces: [] }, `No keys yet at ${storage.location}: nothing to rotate`)
        return
      }
      const keyring = await openKeyring({ storage, config, logger, clock: systemClock })
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
