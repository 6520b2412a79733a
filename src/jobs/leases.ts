import type { Database } from '../storage/index.js'
import { inWriteTransaction, locksRows } from '../storage/index.js'
import type { JobLeasesTable } from './jobs.table.js'

/**
 * Takes the lease of a job that is due, or answers false: when another process holds a
 * live lease, or the job is not due yet. The row is locked while deciding (SQLite's
 * write transaction, PostgreSQL's `FOR UPDATE`), so of several schedulers asking at
 * once exactly one wins.
 */
export async function takeLease(
  db: Database,
  input: { name: string; holder: string; now: Date; leaseMs: number },
): Promise<boolean> {
  const nowIso = input.now.toISOString()
  const until = new Date(input.now.getTime() + input.leaseMs).toISOString()
  return inWriteTransaction(db, async (trx) => {
    await trx
      .insertInto('job_leases')
      .values({
        name: input.name,
        holder: null,
        lease_until: null,
        last_started_at: null,
        last_finished_at: null,
        last_result: null,
        last_summary: null,
        next_run_at: nowIso,
      })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute()
    let query = trx.selectFrom('job_leases').selectAll().where('name', '=', input.name)
    if (locksRows(trx)) query = query.forUpdate()
    const row = await query.executeTakeFirstOrThrow()
    const held = row.holder !== null && row.lease_until !== null && row.lease_until > nowIso
    if (held || row.next_run_at > nowIso) return false
    await trx
      .updateTable('job_leases')
      .set({ holder: input.holder, lease_until: until, last_started_at: nowIso })
      .where('name', '=', input.name)
      .execute()
    return true
  })
}

/** Ends a run: records its outcome, frees the lease and sets the next run. */
export async function releaseLease(
  db: Database,
  input: {
    name: string
    holder: string
    now: Date
    nextRunAt: Date
    result: 'succeeded' | 'failed'
    summary: string
  },
): Promise<void> {
  await db
    .updateTable('job_leases')
    .set({
      holder: null,
      lease_until: null,
      last_finished_at: input.now.toISOString(),
      last_result: input.result,
      last_summary: input.summary.slice(0, 200),
      next_run_at: input.nextRunAt.toISOString(),
    })
    .where('name', '=', input.name)
    .where('holder', '=', input.holder)
    .execute()
}

export async function listJobRows(db: Database): Promise<JobLeasesTable[]> {
  return db.selectFrom('job_leases').selectAll().orderBy('name').execute()
}
