import type { Command } from 'commander'
import { startServer } from '../main.js'
import { closeOnSignals } from '../shutdown.js'
import { addCommonOptions, type CommonOptions, configFrom } from './options.js'

interface ServeOptions extends CommonOptions {
  tlsCert?: string
  tlsKey?: string
  port?: string
  host?: string
  region?: string
}

/**
 * `custodian serve`: API, console, portal and scheduler in one process.
 *
 * @example
 *   npx custodian serve --port 8080 --data ./data
 *   DATABASE_URL=postgres://custodian@db/custodian npx custodian serve
 */
export function registerServeCommand(program: Command): void {
  addCommonOptions(
    program
      .command('serve')
      .description('run the API server (SQLite in --data unless DATABASE_URL is set)')
      .option('--port <port>', 'TCP port; 0 picks a free one (PORT, default 8080)')
      .option('--host <host>', 'interface to bind (HOST, default 127.0.0.1)')
      .option('--region <region>', 'region the data must stay in (CUSTODIAN_REGION, default eu)')
      .option('--tls-cert <file>', 'PEM certificate: serve HTTPS only (CUSTODIAN_TLS_CERT_FILE)')
      .option('--tls-key <file>', 'PEM private key for --tls-cert (CUSTODIAN_TLS_KEY_FILE)'),
  ).action(async (options: ServeOptions) => {
    const config = configFrom(options, {
      port: options.port,
      host: options.host,
      region: options.region,
      tlsCertFile: options.tlsCert,
      tlsKeyFile: options.tlsKey,
    })
    const running = await startServer(config)
    closeOnSignals(running, { logger: running.logger })
  })
}
