import type { AuditEvent } from '../audit/index.js'
import { inWriteTransaction } from '../storage/index.js'
import type { BreachDeps } from './breach.deps.js'
import { selectRunningClocks, updateIncident } from './breach.repository.js'
import { clockOf } from './incidents.logic.js'

/**
 * The 72-hour clock's job (Art. 33(1)): an incident not yet notified gets a warning at
 * 48 hours since awareness (a log line and an audit entry the console and the DPO see)
 * and is flagged overdue at 72, when a late notice must carry the reasons for the delay.
 * Each is given once, recorded on the incident.
 */
export async function checkBreachClocks(
  deps: BreachDeps,
): Promise<{ warned: number; flagged: number }> {
  const now = deps.clock.now()
  let warned = 0
  let flagged = 0
  for (const row of await selectRunningClocks(deps.db)) {
    const clock = clockOf(
      {
        awareAt: row.aware_at,
        art33Decision: row.art33_decision,
        authorityNotifiedAt: row.authority_notified_at,
      },
      now,
    )
    const events: AuditEvent[] = []
    const change: { warned_at?: string; overdue_at?: string } = {}
    const system = { actorType: 'system' as const, actorId: null }
    const base = {
      workspaceId: row.workspace_id,
      actor: system,
      resource: { type: 'breach_incident', id: row.id },
      purpose: 'security-monitoring',
      outcome: 'succeeded' as const,
    }
    if ((clock.state === 'warning' || clock.state === 'overdue') && row.warned_at === null) {
      change.warned_at = now.toISOString()
      events.push({
        ...base,
        action: 'breach.deadline_warning',
        details: { hoursLeft: clock.hoursLeft },
      })
      deps.logger.warn(
        { incident: row.id, workspace: row.workspace_id, hoursLeft: clock.hoursLeft },
        'breach: the authority notice is due within a day (Art. 33(1))',
      )
      warned += 1
    }
    if (clock.state === 'overdue' && row.overdue_at === null) {
      change.overdue_at = now.toISOString()
      events.push({ ...base, action: 'breach.deadline_passed' })
      deps.logger.error(
        { incident: row.id, workspace: row.workspace_id },
        'breach: 72 hours since awareness and the authority is not notified (Art. 33(1))',
      )
      flagged += 1
    }
    if (events.length === 0) continue
    const prepared = await deps.audit.prepare(events)
    await inWriteTransaction(deps.db, async (trx) => {
      await updateIncident(trx, row.workspace_id, row.id, change)
      await deps.audit.recordInTransaction(trx, prepared)
    })
    // After the commit: the warning is on record even if the mail fails.
    await deps.tellDpos?.(
      row.workspace_id,
      change.overdue_at === undefined
        ? 'Breach notification due within 24 hours'
        : 'Breach notification overdue (72 hours passed)',
      [
        `Incident ${row.id}: the controller became aware at ${row.aware_at}.`,
        `The supervisory authority must be notified by ${clock.authorityDeadline} (Art. 33(1) GDPR).`,
        change.overdue_at === undefined
          ? `${String(clock.hoursLeft)} hours are left.`
          : 'The deadline has passed: a notice sent now must give the reasons for the delay.',
        'Record the decision and the notice in the breach register.',
        '',
      ].join('\n'),
    )
  }
  return { warned, flagged }
}
