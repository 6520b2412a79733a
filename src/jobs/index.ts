/**
 * Jobs: the one scheduler of periodic work (reminders, retention, backups, detection),
 * each run under a lease in the database so that it runs once across processes.
 */
export { listJobRows, releaseLease, takeLease } from './leases.js'
export { createScheduler, type Job, type Scheduler } from './scheduler.js'
export type { JobLeasesTable } from './jobs.table.js'
