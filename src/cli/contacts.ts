import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { SingleBar } from 'cli-progress'
import type { Command } from 'commander'
import type { ContactDeps } from '../contacts/index.js'
import {
  maxContactsPerBatch,
  type PreparedContactBatch,
  prepareContactBatch,
} from '../contacts/index.js'
import { AppError, isAppError } from '../errors.js'
import { type ItemProblem, itemProblem } from '../http/index.js'
import type { Actor } from '../identity/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface ImportOptions extends CommonOptions {
  workspace: string
  file: string
}

/** What an import did: contacts made, and each line not made with its problem. */
export interface ImportReport {
  lines: number
  created: number
  rejected: { line: number; problem: ItemProblem }[]
}

// A person reads the report: the first rejections say enough, the count says the rest.
const rejectionsShown = 20

/**
 * `custodian contacts import`: makes a workspace's contacts from a JSON Lines file,
 * one contact per line as `POST /v1/contacts` takes it (`{"email", "externalId",
 * "name", "attributes"}`), in batches of 500. Each batch is sealed on the keyring's
 * worker thread while the one before is written. A line that is not a valid contact,
 * or whose email or external id another contact has, is reported with its line number
 * and the rest are made; the exit code is then 1.
 *
 * @example
 *   npx custodian contacts import --workspace 0193… --file customers.jsonl
 *   # Imported 99,998 contacts from 100,000 lines; 2 rejected:
 *   #   Line 17 has the email of another contact
 */
export function registerContactsCommand(program: Command): void {
  const contacts = program.command('contacts').description("manage a workspace's contacts")
  addCommonOptions(
    contacts
      .command('import')
      .description('make contacts from a JSON Lines file, one contact per line')
      .requiredOption('--workspace <id>', 'the workspace id')
      .requiredOption('--file <path>', 'the JSON Lines file (- for standard input)'),
  ).action(async (options: ImportOptions) => {
    const fromStdin = options.file === '-'
    // Said before the store is opened: nothing is read or made for a file that is not there.
    const fileBytes = fromStdin ? undefined : sizeOf(options.file)
    const result = await withCliContext(configFrom(options), async (context) => {
      await getWorkspace(context.modules.workspaces.db, options.workspace)
      const bar = progressBar(options, fileBytes)
      try {
        return await importContacts(
          context.modules.contacts,
          { workspaceId: options.workspace, actor: context.actor },
          {
            lines: createInterface({
              input: fromStdin ? process.stdin : createReadStream(options.file),
              crlfDelay: Infinity,
            }),
            progress: bar.update,
          },
        )
      } finally {
        bar.stop()
      }
    })
    if (result.rejected.length > 0) process.exitCode = 1
    report(options, result, describe(result))
  })
}

/**
 * Reads contacts line by line and makes them batch by batch: the next batch is handed
 * to the sealing worker before the current one is written, so both cores work.
 */
export async function importContacts(
  deps: ContactDeps,
  who: { workspaceId: string; actor: Actor },
  source: {
    lines: AsyncIterable<string>
    /** Told after each batch: contacts made so far, and bytes of input read. */
    progress?: (created: number, bytesRead: number) => void
  },
): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, created: 0, rejected: [] }
  let bytesRead = 0
  let batch: { line: number; raw: unknown }[] = []
  let writing: { prepared: PreparedContactBatch; lineOf: number[] } | undefined
  const write = async () => {
    if (writing === undefined) return
    const result = await writing.prepared.store()
    report.created += result.created.length
    for (const { index, problem } of result.rejected) {
      report.rejected.push({ line: writing.lineOf[index] ?? 0, problem })
    }
    writing = undefined
    source.progress?.(report.created, bytesRead)
  }
  const handOver = async () => {
    if (batch.length === 0) return
    const lineOf = batch.map((item) => item.line)
    const next = {
      prepared: await prepareContactBatch(
        deps,
        who,
        batch.map((item) => item.raw),
        { nameOf: (index) => `Line ${lineOf[index] ?? '?'}` },
      ),
      lineOf,
    }
    batch = []
    // The previous batch is written while the worker seals this one.
    await write()
    writing = next
  }
  for await (const text of source.lines) {
    report.lines += 1
    bytesRead += Buffer.byteLength(text) + 1
    if (text.trim() === '') continue
    const parsed = parseLine(text, report.lines)
    if ('problem' in parsed) report.rejected.push(parsed)
    else batch.push({ line: report.lines, raw: parsed.raw })
    if (batch.length === maxContactsPerBatch) await handOver()
  }
  await handOver()
  await write()
  report.rejected.sort((a, b) => a.line - b.line)
  return report
}

function sizeOf(path: string): number {
  try {
    const stats = statSync(path)
    if (!stats.isFile()) throw new AppError('invalid_request', `--file ${path} is not a file`)
    return stats.size
  } catch (error) {
    if (isAppError(error)) throw error
    throw new AppError(
      'invalid_request',
      `--file ${path} cannot be read: no such file or no access`,
    )
  }
}

function parseLine(
  text: string,
  line: number,
): { raw: unknown } | { line: number; problem: ItemProblem } {
  try {
    // A byte-order mark, as some spreadsheet exports write, is not part of the JSON.
    return { raw: JSON.parse(line === 1 ? text.replace(/^\uFEFF/, '') : text) as unknown }
  } catch {
    return { line, problem: itemProblem('invalid_request', `Line ${line} is not JSON`) }
  }
}

/** A bar over the file's bytes on standard error when a person watches; nothing otherwise. */
function progressBar(
  options: CommonOptions,
  fileBytes: number | undefined,
): { update?: (created: number, bytesRead: number) => void; stop: () => void } {
  if (options.json === true || !process.stderr.isTTY || fileBytes === undefined) {
    return { stop: () => {} }
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'importing [{bar}] {percentage}% | {created} contacts made',
    hideCursor: true,
  })
  bar.start(fileBytes, 0, { created: 0 })
  return {
    update: (created, bytesRead) => {
      bar.update(Math.min(bytesRead, fileBytes), { created })
    },
    stop: () => {
      bar.stop()
    },
  }
}

function describe(result: ImportReport): string {
  const made = `Imported ${result.created.toLocaleString('en-US')} contacts from ${result.lines.toLocaleString('en-US')} lines`
  if (result.rejected.length === 0) return made
  const shown = result.rejected.slice(0, rejectionsShown).map((item) => `  ${item.problem.detail}`)
  const more =
    result.rejected.length > rejectionsShown
      ? [`  … and ${(result.rejected.length - rejectionsShown).toLocaleString('en-US')} more`]
      : []
  return [
    `${made}; ${result.rejected.length.toLocaleString('en-US')} rejected:`,
    ...shown,
    ...more,
  ].join('\n')
}
