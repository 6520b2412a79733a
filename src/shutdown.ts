import type { EventEmitter } from 'node:events'
import type { Logger } from './logger.js'

export interface Closable {
  close(): Promise<void>
}

export interface ShutdownOptions {
  logger: Logger
  /** Where signals come from; the process unless a test passes its own emitter. */
  signals?: Pick<EventEmitter, 'on'>
  exit?: (code: number) => void
  /** How long in-flight requests get before the process gives up waiting. */
  graceMs?: number
}

/**
 * SIGTERM and SIGINT stop accepting connections, let in-flight requests finish, close
 * the database cleanly (SQLite checkpoints its WAL), then exit 0. A second signal, or a
 * close that outlasts the grace period, exits 1 at once.
 */
export function closeOnSignals(target: Closable, options: ShutdownOptions): void {
  const signals: Pick<EventEmitter, 'on'> = options.signals ?? process
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const graceMs = options.graceMs ?? 25_000
  let closing = false

  const onSignal = (signal: string) => {
    if (closing) {
      options.logger.warn({ signal }, 'second signal: exiting without waiting')
      exit(1)
      return
    }
    closing = true
    options.logger.info({ signal }, 'shutting down: finishing in-flight requests')
    const timer = setTimeout(() => {
      options.logger.error({ graceMs }, 'shutdown took too long: exiting')
      exit(1)
    }, graceMs)
    timer.unref()
    target.close().then(
      () => {
        clearTimeout(timer)
        options.logger.info('stopped')
        exit(0)
      },
      (error: unknown) => {
        clearTimeout(timer)
        options.logger.error({ err: error }, 'shutdown failed')
        exit(1)
      },
    )
  }
  signals.on('SIGTERM', () => onSignal('SIGTERM'))
  signals.on('SIGINT', () => onSignal('SIGINT'))
}
