import type { Command } from 'commander'
import { type Config, type ConfigFlags, loadConfig } from '../config.js'

/** Options every command reads: the same configuration as `serve`, plus `--json`. */
export interface CommonOptions {
  data?: string
  databaseUrl?: string
  masterKeyFile?: string
  logLevel?: string
  json?: boolean
}

export function addCommonOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory for the embedded SQLite store (DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL URL; overrides the embedded store (DATABASE_URL)')
    .option('--master-key-file <file>', 'file holding the master key (CUSTODIAN_MASTER_KEY_FILE)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (LOG_LEVEL)')
    .option('--json', 'machine-readable output')
}

export function configFrom(options: CommonOptions, extra: ConfigFlags = {}): Config {
  return loadConfig({
    flags: {
      dataDir: options.data,
      databaseUrl: options.databaseUrl,
      masterKeyFile: options.masterKeyFile,
      logLevel: options.logLevel,
      ...extra,
    },
  })
}

/** Prints a result: JSON when asked, otherwise the human line. */
export function report(options: CommonOptions, result: unknown, human: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${human}\n`)
}
