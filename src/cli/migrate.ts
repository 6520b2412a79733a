import type { Command } from 'commander'
import { migrateToLatest } from '../storage/index.js'
import { openStorage } from '../storage/index.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

/**
 * `custodian migrate`: applies pending migrations and exits. Safe while `serve` runs.
 *
 * @example
 *   npx custodian migrate --json   # {"applied":["0001_instance"],"current":[...]}
 */
export function registerMigrateCommand(program: Command): void {
  addCommonOptions(
    program.command('migrate').description('apply database migrations and exit'),
  ).action(async (options: CommonOptions) => {
    const config = configFrom(options)
    const storage = openStorage(config)
    try {
      const result = await migrateToLatest(storage)
      const human =
        result.applied.length > 0
          ? `Applied ${result.applied.join(', ')} to ${storage.location}`
          : `Already up to date (${result.current.length} migrations) at ${storage.location}`
      report(options, { ...result, storage: storage.dialect }, human)
    } finally {
      await storage.close()
    }
  })
}
