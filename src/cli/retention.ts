import type { Command } from 'commander'
import { runRetention } from '../retention/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface RunOptions extends CommonOptions {
  dryRun?: boolean
  workspace?: string
}

/**
 * `custodian retention run [--dry-run]`: deletes what every source's retention rules say
 * has expired (Art. 5(1)(e)), per workspace and for the instance, in short batches, each
 * rule audited with its count. `--dry-run` prints what would go and deletes nothing.
 *
 * @example
 *   npx custodian retention run --dry-run
 *   # tracking-events  019d…  1200 rows  (events received more than 395 days ago)
 */
export function registerRetentionCommand(program: Command): void {
  const retention = program.command('retention').description('storage limitation')
  addCommonOptions(
    retention
      .command('run')
      .description('purge what has expired under each source’s retention rules')
      .option('--dry-run', 'print what would go; delete nothing')
      .option('--workspace <id>', 'only this workspace'),
  ).action(async (options: RunOptions) => {
    const outcomes = await withCliContext(configFrom(options), (context) =>
      runRetention(context.modules.retention, {
        dryRun: options.dryRun === true,
        ...(options.workspace === undefined ? {} : { workspaceId: options.workspace }),
      }),
    )
    const total = outcomes.reduce((sum, outcome) => sum + outcome.rows, 0)
    report(
      options,
      { dryRun: options.dryRun === true, rows: total, rules: outcomes },
      [
        ...outcomes.map(
          (outcome) =>
            `${outcome.rule.padEnd(22)} ${outcome.workspaceId ?? 'instance'}  ${String(outcome.rows)} rows  (${outcome.period})`,
        ),
        `${options.dryRun === true ? 'Would purge' : 'Purged'} ${String(total)} rows`,
      ].join('\n'),
    )
  })
}
