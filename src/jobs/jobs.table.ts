/**
 * One row per periodic job of the instance (migration 0015): the lease that lets one
 * process of several run it, and the outcome of its last run. Names no one.
 */
export interface JobLeasesTable {
  name: string
  /** The process holding the lease (a random id per scheduler), or null when free. */
  holder: string | null
  /** The lease lapses at this instant: a crashed holder frees the job by itself. */
  lease_until: string | null
  last_started_at: string | null
  last_finished_at: string | null
  /** `succeeded` or `failed`. */
  last_result: string | null
  /** A short summary of what the run did (counts), or the failed run's problem code. */
  last_summary: string | null
  next_run_at: string
}
