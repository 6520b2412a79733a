import type { Job } from '../jobs/index.js'
import type { BreachDeps } from './breach.deps.js'
import { checkBreachClocks } from './clock.service.js'
import { runDetectionPass } from './detect.js'

/**
 * The breach module's periodic work: a detection pass due every 30 seconds, so that with
 * the scheduler polling every 30 seconds one runs at least once a minute, and the
 * 72-hour clock's check.
 */
export function breachJobs(deps: BreachDeps): Job[] {
  return [
    {
      name: 'breach-detection',
      everyMs: 30_000,
      leaseMs: 5 * 60_000,
      run: async () => {
        const pass = await runDetectionPass(deps)
        return `${String(pass.entries)} entries read, ${String(pass.alerts.length)} alerts, ${String(pass.incidents)} incidents opened`
      },
    },
    {
      name: 'breach-clock',
      everyMs: 15 * 60_000,
      leaseMs: 5 * 60_000,
      run: async () => {
        const done = await checkBreachClocks(deps)
        return `${String(done.warned)} warned at 48 h, ${String(done.flagged)} flagged at 72 h`
      },
    },
  ]
}
