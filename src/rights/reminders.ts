import type { Job } from '../jobs/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { isNearingDue, isOverdue } from './rights.logic.js'
import type { RequestType } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import { dpoReminderMail, lapsedMail } from './rights.mail.js'
import { selectOpenRequests, updateRequest } from './rights.repository.js'
import { audit, mailPerson, transition } from './rights.service.js'
import type { RightsRequestsTable } from './rights.table.js'
import { sendCode } from './verification.service.js'
import { verificationPolicy } from './verification.logic.js'

const system = {
  principal: 'system' as const,
  actor: { actorType: 'system' as const, actorId: null },
}

/**
 * The rights module's periodic work: one reminder to a person who has not confirmed
 * their request, closing requests never confirmed, and mail to the workspace's DPOs
 * as a request's due date nears and when it passes (Art. 12(3), 38–39).
 */
export async function runRightsReminders(deps: RightsDeps): Promise<string> {
  const now = deps.clock.now()
  let reminded = 0
  let lapsed = 0
  const dueByWorkspace = new Map<string, { row: RightsRequestsTable; overdue: boolean }[]>()
  for (const row of await selectOpenRequests(deps.db)) {
    const received = new Date(row.received_at).getTime()
    if (row.status === 'verifying') {
      if (now.getTime() - received > verificationPolicy.lapseAfterDays * 86_400_000) {
        const closed = await transition(deps, system, row, 'rejected', {
          event: 'lapsed',
          detail: 'art-12-6',
          changes: {
            rejection_article: 'art-12-6',
            completed_at: now.toISOString(),
            code_hash: null,
          },
        })
        await mailPerson(deps, closed, (about) => lapsedMail(about))
        await audit(deps, system, {}, 'rights.request_lapsed', closed, { type: closed.type })
        lapsed += 1
        continue
      }
      if (
        row.verification_reminded_at === null &&
        row.codes_sent < verificationPolicy.codesPerRequest &&
        now.getTime() - received > verificationPolicy.remindAfterHours * 3_600_000
      ) {
        await sendCode(deps, system, row, { reminder: true })
        reminded += 1
      }
    }
    const due = new Date(row.due_at)
    const overdue = isOverdue(due, now)
    const remind = overdue ? row.overdue_reminded_at === null : row.due_reminded_at === null
    if (remind && (overdue || isNearingDue(due, now))) {
      const list = dueByWorkspace.get(row.workspace_id) ?? []
      list.push({ row, overdue })
      dueByWorkspace.set(row.workspace_id, list)
    }
  }
  let mailed = 0
  for (const [workspaceId, requests] of dueByWorkspace) {
    const workspace = await getWorkspace(deps.db, workspaceId)
    const addresses = await deps.dpoAddresses(workspaceId)
    const listed = requests.map(({ row, overdue }) => ({
      id: row.id,
      type: row.type as RequestType,
      dueAt: row.due_at,
      overdue,
    }))
    for (const address of addresses) {
      await deps.mail.send(dpoReminderMail(address, workspace.name, listed))
      mailed += 1
    }
    // Marked even without a DPO to write to: the queue shows `overdue` regardless.
    for (const { row, overdue } of requests) {
      await updateRequest(
        deps.db,
        workspaceId,
        row.id,
        overdue
          ? { overdue_reminded_at: now.toISOString() }
          : { due_reminded_at: now.toISOString() },
      )
    }
    await deps.audit.record({
      workspaceId,
      actor: system.actor,
      action: 'rights.reminders_sent',
      outcome: 'succeeded',
      resource: { type: 'rights_request' },
      details: {
        due: requests.filter((request) => !request.overdue).length,
        overdue: requests.filter((request) => request.overdue).length,
      },
    })
  }
  return `reminded ${reminded}, lapsed ${lapsed}, dpo mails ${mailed}`
}

export function rightsJobs(deps: RightsDeps): Job[] {
  return [
    {
      name: 'rights-reminders',
      everyMs: 15 * 60_000,
      leaseMs: 10 * 60_000,
      run: () => runRightsReminders(deps),
    },
  ]
}
