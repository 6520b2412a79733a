import type { Job } from '../jobs/index.js'
import { type RetentionDeps, runRetention } from './run-retention.js'

/** The daily purge of what every source's retention rules say has expired. */
export function retentionJobs(deps: RetentionDeps): Job[] {
  return [
    {
      name: 'retention',
      everyMs: 24 * 60 * 60_000,
      leaseMs: 60 * 60_000,
      run: async () => {
        const outcomes = await runRetention(deps)
        const rows = outcomes.reduce((sum, outcome) => sum + outcome.rows, 0)
        const rules = new Set(outcomes.filter((outcome) => outcome.rows > 0).map((o) => o.rule))
        return `${String(rows)} rows purged by ${String(rules.size)} rules`
      },
    },
  ]
}
