import type { Command } from 'commander'
import { listQueue } from '../rights/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface ListOptions extends CommonOptions {
  overdue?: boolean
  workspace?: string
}

/**
 * `custodian dsar list`: the open data subject requests of every workspace (or one),
 * soonest due first, with both clocks. Names no one: ids, types, states and dates.
 *
 * @example
 *   npx custodian dsar list --overdue
 *   # 0196…  erasure  in-progress  due 2026-03-09T09:00:00.000Z (OVERDUE)  legal 2026-04-02
 */
export function registerDsarCommand(program: Command): void {
  const dsar = program.command('dsar').description('data subject requests')
  addCommonOptions(
    dsar
      .command('list')
      .description('open requests, soonest due first')
      .option('--overdue', 'only those past their due date')
      .option('--workspace <id>', 'only this workspace'),
  ).action(async (options: ListOptions) => {
    const requests = await withCliContext(configFrom(options), (context) =>
      listQueue(context.modules.rights, {
        ...(options.workspace !== undefined ? { workspaceId: options.workspace } : {}),
        ...(options.overdue === true ? { overdue: true } : {}),
      }),
    )
    const lines = requests.map((request) =>
      [
        request.id,
        request.workspaceId,
        request.type.padEnd(18),
        request.status.padEnd(11),
        `due ${request.dueAt}${request.overdue ? ' (OVERDUE)' : ''}`,
        `legal ${request.extendedDueDate ?? request.legalDueDate}`,
      ].join('  '),
    )
    report(
      options,
      requests,
      requests.length === 0
        ? options.overdue === true
          ? 'No overdue requests'
          : 'No open requests'
        : lines.join('\n'),
    )
  })
}
