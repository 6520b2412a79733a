import type { Job } from '../../jobs/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { selectOverdueToRemind, updateDpia } from './dpia.repository.js'

const dayMs = 24 * 60 * 60 * 1000

/**
 * Tells each workspace's DPO which DPIAs are past their review date (Art. 35(11): the
 * controller reviews whether processing still matches its assessment), by mail and in
 * the audit log, at most once a week per DPIA until it is reviewed and signed off again.
 * Answers a summary in counts.
 */
export async function remindOverdueReviews(deps: GovernanceDeps): Promise<string> {
  const now = deps.clock.now()
  const overdue = await selectOverdueToRemind(
    deps.db,
    now.toISOString().slice(0, 10),
    new Date(now.getTime() - 7 * dayMs).toISOString(),
  )
  const byWorkspace = new Map<string, typeof overdue>()
  for (const row of overdue) {
    byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), row])
  }
  let mailed = 0
  for (const [workspaceId, rows] of byWorkspace) {
    const addresses = await deps.dpoAddresses(workspaceId)
    for (const to of addresses) {
      await deps.mail.send({
        to,
        subject: `${rows.length} DPIA review${rows.length === 1 ? ' is' : 's are'} overdue`,
        text: [
          'These data protection impact assessments are past their review date (Art. 35(11) GDPR):',
          '',
          ...rows.map(
            (row) => `- due ${row.review_due_on}: ${deps.publicUrl()}/v1/dpias/${row.id}`,
          ),
          '',
          'Review each, then sign it off again with its next review date (POST /v1/dpias/{id}/sign-off).',
        ].join('\n'),
      })
      mailed += 1
    }
    for (const row of rows) {
      await updateDpia(deps.db, workspaceId, row.id, { reminded_at: now.toISOString() })
    }
    await deps.audit.record({
      workspaceId,
      actor: { actorType: 'system', actorId: null },
      action: 'dpia.review_overdue',
      outcome: 'succeeded',
      details: { overdue: rows.length, mailed: addresses.length },
    })
  }
  return `${overdue.length} overdue reviews in ${byWorkspace.size} workspaces, ${mailed} mails`
}

export function governanceJobs(deps: GovernanceDeps): Job[] {
  return [
    {
      name: 'governance.dpia-reviews',
      everyMs: dayMs,
      leaseMs: 10 * 60 * 1000,
      run: () => remindOverdueReviews(deps),
    },
  ]
}
