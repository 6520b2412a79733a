/**
 * Retention: storage limitation (Art. 5(1)(e)). Runs every personal-data source's
 * retention rules over each workspace with its settings and over the instance, in short
 * batches, audited with counts; `custodian retention run [--dry-run]` and a daily job.
 * The rules live in their modules (`<module>/retention.ts`), beside the tables they purge.
 */
export { retentionAuditActions } from './retention.audit.js'
export {
  type RetentionDeps,
  type RetentionOptions,
  type RetentionOutcome,
  runRetention,
} from './run-retention.js'
export { retentionJobs } from './retention.jobs.js'
