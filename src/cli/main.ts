import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config.js'
import { isAppError } from '../errors.js'
import { scrubText } from '../logger.js'
import { registerAuditCommand } from './audit.js'
import { registerContactsCommand } from './contacts.js'
import { registerDetectCommand } from './detect.js'
import { registerDsarCommand } from './dsar.js'
import { registerJobsCommand } from './jobs.js'
import { registerBreachCommand } from './breach.js'
import { registerRetentionCommand } from './retention.js'
import { registerKeysCommand } from './keys.js'
import { registerMigrateCommand } from './migrate.js'
import { registerOperatorCommand } from './operator.js'
import { registerRopaCommand } from './ropa.js'
import { registerServeCommand } from './serve.js'
import { registerSigningKeyCommand } from './signing-key.js'
import { registerSubprocessorsCommand } from './subprocessors.js'
import { registerWorkspaceCommand } from './workspace.js'

/** The `custodian` command: one file per command group, each calling services directly. */
export function buildProgram(): Command {
  const program = new Command('custodian')
    .description('Customer data platform with the GDPR built into its data layer')
    .version('0.1.0')
    .exitOverride()
  registerServeCommand(program)
  registerMigrateCommand(program)
  registerKeysCommand(program)
  registerWorkspaceCommand(program)
  registerOperatorCommand(program)
  registerContactsCommand(program)
  registerAuditCommand(program)
  registerDsarCommand(program)
  registerJobsCommand(program)
  registerBreachCommand(program)
  registerRetentionCommand(program)
  registerSubprocessorsCommand(program)
  registerRopaCommand(program)
  registerSigningKeyCommand(program)
  registerDetectCommand(program)
  return program
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode
    process.stderr.write(`custodian: ${describeFailure(error)}\n`)
    return 1
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof ConfigError || isAppError(error)) return error.message
  if (error instanceof Error) return scrubText(error.message)
  return 'failed'
}

const code = await runCli(process.argv)
if (code !== 0) process.exit(code)
