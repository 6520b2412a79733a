import type { Command } from 'commander'
import { listJobRows } from '../jobs/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

/**
 * `custodian jobs list`: every periodic job `serve` runs, with its last run, result and
 * next run, as the database's leases record them (one row per job for the instance).
 */
export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('periodic jobs')
  addCommonOptions(
    jobs.command('list').description('each job, its last run, result and next run'),
  ).action(async (options: CommonOptions) => {
    const result = await withCliContext(configFrom(options), async (context) => {
      const rows = await listJobRows(context.modules.core.storage.db)
      const known = new Map(rows.map((row) => [row.name, row]))
      return context.modules.jobs.map((job) => {
        const row = known.get(job.name)
        return {
          name: job.name,
          everyMinutes: job.everyMs / 60_000,
          lastStartedAt: row?.last_started_at ?? null,
          lastFinishedAt: row?.last_finished_at ?? null,
          lastResult: row?.last_result ?? null,
          lastSummary: row?.last_summary ?? null,
          nextRunAt: row?.next_run_at ?? null,
          running: row?.holder != null,
        }
      })
    })
    report(
      options,
      result,
      result
        .map(
          (job) =>
            `${job.name}  every ${job.everyMinutes} min  last ${job.lastFinishedAt ?? 'never'} ${job.lastResult ?? ''} ${job.lastSummary ?? ''}  next ${job.nextRunAt ?? 'at the next start of serve'}`,
        )
        .join('\n'),
    )
  })
}
