import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { Value } from 'typebox/value'
import { AppError } from '../errors.js'
import {
  changeSubprocessor,
  listSubprocessors,
  NewSubprocessorBody,
  registerSubprocessor,
  SubprocessorChangeBody,
  type SubprocessorView,
} from '../transfers/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface ListOptions extends CommonOptions {
  workspace?: string
}
interface AddOptions extends CommonOptions {
  file: string
}
interface SetOptions extends AddOptions {
  id: string
}

async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'))
  } catch {
    throw new AppError('invalid_request', `${path} is not a readable JSON file`)
  }
}

function line(entry: SubprocessorView): string {
  const check = entry.transferCheck.allowed
    ? `allowed (${entry.transferCheck.ground ?? ''})`
    : `refused (${entry.transferCheck.refusal ?? ''})`
  return `${entry.id}  ${entry.scope.padEnd(9)}  ${entry.country}  ${entry.name}  ${check}`
}

/**
 * `custodian subprocessors`: the instance's own sub-processors (the SMTP relay, backup
 * destinations), which the platform admin keeps and every workspace sees; a workspace
 * keeps its own through `/v1/subprocessors`.
 *
 * @example
 *   npx custodian subprocessors add --file relay.json
 *   # relay.json: {"name":"Relay Ltd","service":"Mail relay","dataCategories":["identifiers","operator-account"],
 *   #   "country":"IE","endpoints":["smtp.relay.example"],"dpa":{"signedOn":"2026-01-10","reference":"DPA-7"},
 *   #   "transferMechanism":{"type":"none"}}
 *   npx custodian subprocessors set --id 0193… --file change.json
 *   npx custodian subprocessors list --json
 */
export function registerSubprocessorsCommand(program: Command): void {
  const group = program
    .command('subprocessors')
    .description("the instance's sub-processors (mail relay, backup destinations)")

  addCommonOptions(
    group
      .command('list')
      .description('list the instance’s sub-processors with what the transfer guard answers')
      .option('--workspace <id>', "a workspace's view: its own and the instance's"),
  ).action(async (options: ListOptions) => {
    const entries = await withCliContext(configFrom(options), (context) =>
      listSubprocessors(context.modules.transfers, options.workspace ?? null),
    )
    report(options, { data: entries }, entries.map(line).join('\n') || 'No sub-processors')
  })

  addCommonOptions(
    group
      .command('add')
      .description('register an instance sub-processor from a JSON file')
      .requiredOption('--file <file>', 'the entry, as POST /v1/subprocessors takes it'),
  ).action(async (options: AddOptions) => {
    const input = await readJsonFile(options.file)
    if (!Value.Check(NewSubprocessorBody, input)) {
      throw new AppError('invalid_request', `${options.file} is not a valid sub-processor entry`)
    }
    const created = await withCliContext(configFrom(options), (context) =>
      registerSubprocessor(
        context.modules.transfers,
        { workspaceId: null, actor: context.actor },
        input,
      ),
    )
    report(options, created, line(created))
  })

  addCommonOptions(
    group
      .command('set')
      .description(
        'change an instance sub-processor: the fields in the file replace the stored ones',
      )
      .requiredOption('--id <id>', 'the sub-processor')
      .requiredOption('--file <file>', 'the change, as PATCH /v1/subprocessors/{id} takes it'),
  ).action(async (options: SetOptions) => {
    const change = await readJsonFile(options.file)
    if (!Value.Check(SubprocessorChangeBody, change)) {
      throw new AppError('invalid_request', `${options.file} is not a valid change`)
    }
    const changed = await withCliContext(configFrom(options), (context) =>
      changeSubprocessor(
        context.modules.transfers,
        { workspaceId: null, actor: context.actor },
        options.id,
        change,
      ),
    )
    report(options, changed, line(changed))
  })
}
