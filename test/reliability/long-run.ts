import { appendFileSync } from 'node:fs'

/**
 * `CUSTODIAN_LONG_TESTS=1` turns the reliability suites' short seeded runs (the normal
 * suite, CI) into the long runs whose figures the README reports (`npm run test:long`).
 */
export const longRun = process.env.CUSTODIAN_LONG_TESTS === '1'

/**
 * Prints a suite's figures as one line (`reliability <name> {...}`), and appends them to
 * the JSON Lines file named by `RELIABILITY_REPORT` when set, for the README's table.
 */
export function reportFigure(name: string, figures: Record<string, number | string>): void {
  const line = JSON.stringify({ name, long: longRun, ...figures })
  console.log(`reliability ${line}`)
  const file = process.env.RELIABILITY_REPORT
  if (file !== undefined && file !== '') appendFileSync(file, `${line}\n`)
}
