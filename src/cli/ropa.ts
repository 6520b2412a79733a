import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { AppError } from '../errors.js'
import {
  exportRecords,
  type RopaFormat,
  ropaFormats,
  type RopaRecord,
} from '../governance/index.js'
import { listAllWorkspaces } from '../workspaces/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom } from './options.js'

interface ExportOptions extends CommonOptions {
  format: string
  record: string
  workspace?: string
  out?: string
}

/**
 * `custodian ropa export`: the records of processing activities (Art. 30), made now from
 * the data map and the live registries. The controller's record is one workspace's
 * (`--workspace`, or the only one); the processor's record covers every workspace the
 * instance processes for. CSV follows the ICO documentation template's columns.
 *
 * @example
 *   npx custodian ropa export --format csv --workspace 0193… --out ropa.csv
 *   npx custodian ropa export --format csv --record processor
 *   npx custodian ropa export --format html > ropa.html
 */
export function registerRopaCommand(program: Command): void {
  const ropa = program.command('ropa').description('records of processing activities (Art. 30)')
  addCommonOptions(
    ropa
      .command('export')
      .description('print (or write) the records of processing as csv, json or html')
      .option('--format <format>', 'csv, json or html', 'json')
      .option(
        '--record <record>',
        'controller (Art. 30(1)) or processor (Art. 30(2)), for csv',
        'controller',
      )
      .option('--workspace <id>', "the controller's workspace (needed when there are several)")
      .option('--out <file>', 'write to this file instead of standard output'),
  ).action(async (options: ExportOptions) => {
    const format = formatOf(options.format)
    const record = recordOf(options.record)
    const body = await withCliContext(configFrom(options), async (context) => {
      const workspaceId = options.workspace ?? (await onlyWorkspace(context.modules.workspaces.db))
      const exported = await exportRecords(context.modules.governance, {
        workspaceId,
        format,
        record,
        actor: context.actor,
        allControllers: true,
      })
      return typeof exported.body === 'string'
        ? exported.body
        : `${JSON.stringify(exported.body, null, 2)}\n`
    })
    if (options.out === undefined) process.stdout.write(body)
    else await writeFile(options.out, body, { mode: 0o640 })
  })
}

function formatOf(value: string): RopaFormat {
  const found = ropaFormats.find((format) => format === value)
  if (found === undefined) throw new AppError('invalid_request', '--format is csv, json or html')
  return found
}

function recordOf(value: string): RopaRecord {
  if (value === 'controller' || value === 'processor') return value
  throw new AppError('invalid_request', '--record is controller or processor')
}

async function onlyWorkspace(db: Parameters<typeof listAllWorkspaces>[0]): Promise<string> {
  const workspaces = await listAllWorkspaces(db)
  const [only, ...others] = workspaces
  if (only === undefined) throw new AppError('not_found', 'There is no workspace yet')
  if (others.length > 0) {
    throw new AppError(
      'invalid_request',
      `Name the workspace (--workspace): there are ${workspaces.length}`,
    )
  }
  return only.id
}
