import { createLogger, type Logger } from '../logger.js'

/** A real logger whose JSON lines are kept in memory, so tests can assert on them. */
export interface CapturedLogs {
  logger: Logger
  lines(): Record<string, unknown>[]
  text(): string
}

export function captureLogs(level = 'info'): CapturedLogs {
  const chunks: string[] = []
  const logger = createLogger({
    level,
    destination: {
      write(chunk: string) {
        chunks.push(chunk)
      },
    },
  })
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
