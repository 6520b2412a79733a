import { readActorTrail } from '../audit/index.js'
import { type ContactView, getContact } from '../contacts/index.js'
import { AppError, isAppError } from '../errors.js'
import { inWriteTransaction } from '../storage/index.js'
import type { BreachDeps } from './breach.deps.js'
import { updateIncident } from './breach.repository.js'
import { type AffectedCount, categoriesOf, isDisclosure } from './incidents.logic.js'
import { type BreachCaller, incidentRow } from './incidents.service.js'

/** The people an incident's window and actor reached: blind references, nothing opened. */
export interface AffectedSubjects extends AffectedCount {
  window: { from: string; until: string; actorType: string; actorId: string }
  categories: string[]
  /** The subjects' blind references (hex), as the audit log keeps them. */
  subjectRefs: string[]
}

async function walkTrail(deps: BreachDeps, workspaceId: string, id: string) {
  const row = await incidentRow(deps.db, workspaceId, id)
  if (row.window_from === null || row.actor_id === null || row.actor_type === null) {
    throw new AppError(
      'conflict',
      'The incident has no window and actor to read the audit trail for',
    )
  }
  const window = {
    from: row.window_from,
    // An open window runs up to now, this instant included.
    until: row.window_until ?? new Date(deps.clock.now().getTime() + 1).toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
  }
  const refs = new Set<string>()
  const contactIds = new Set<string>()
  const categories = new Set<string>(JSON.parse(row.categories) as string[])
  let records = 0
  await readActorTrail(
    deps,
    workspaceId,
    { actorId: window.actorId, since: window.from, until: window.until },
    (entries) => {
      for (const entry of entries) {
        if (!isDisclosure(entry.action)) continue
        const counted = entry.details?.count
        records += typeof counted === 'number' && counted > 0 ? counted : 1
        for (const category of categoriesOf(entry.resourceType)) categories.add(category)
        if (entry.subjectRef !== null) refs.add(entry.subjectRef)
        if (entry.resourceType === 'contact' && entry.resourceId !== null) {
          contactIds.add(entry.resourceId)
        }
      }
    },
  )
  return { row, window, refs, contactIds, categories: [...categories].sort(), records }
}

/**
 * Counts who an incident reached from the audit trail of its actor within its window
 * (Art. 33(3)(a): categories and approximate numbers of subjects and records), by blind
 * reference: nothing is decrypted. The counts fill the register's approximate numbers
 * where the operator has not set them, and the categories join its list.
 */
export async function computeAffected(
  deps: BreachDeps,
  caller: BreachCaller,
  id: string,
): Promise<AffectedSubjects> {
  const trail = await walkTrail(deps, caller.workspaceId, id)
  const result = {
    window: trail.window,
    subjects: trail.refs.size,
    records: trail.records,
    categories: trail.categories,
    subjectRefs: [...trail.refs].sort(),
  }
  const prepared = await deps.audit.prepare([
    {
      workspaceId: caller.workspaceId,
      actor: caller.actor,
      action: 'breach.affected_computed',
      resource: { type: 'breach_incident', id },
      purpose: 'security-monitoring',
      outcome: 'succeeded',
      requestId: caller.requestId ?? null,
      ip: caller.ip ?? null,
      details: {
        subjects: result.subjects,
        records: result.records,
        categories: result.categories,
      },
    },
  ])
  await inWriteTransaction(deps.db, async (trx) => {
    await updateIncident(trx, caller.workspaceId, id, {
      categories: JSON.stringify(result.categories),
      approx_subjects: trail.row.approx_subjects ?? result.subjects,
      approx_records: trail.row.approx_records ?? result.records,
      updated_at: deps.clock.now().toISOString(),
    })
    await deps.audit.recordInTransaction(trx, prepared)
  })
  return result
}

/**
 * Opens who the affected people are, for an operator who must tell them (Art. 34): the
 * contacts the trail reached, each read through the contacts module (which audits every
 * read), after one entry recording the reveal itself.
 */
export async function revealAffected(
  deps: BreachDeps,
  caller: BreachCaller,
  id: string,
): Promise<{ contacts: ContactView[]; notContacts: number }> {
  const trail = await walkTrail(deps, caller.workspaceId, id)
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'breach.affected_revealed',
    resource: { type: 'breach_incident', id },
    purpose: 'breach-notification',
    outcome: 'succeeded',
    requestId: caller.requestId ?? null,
    ip: caller.ip ?? null,
    details: { subjects: trail.contactIds.size },
  })
  const contacts: ContactView[] = []
  for (const contactId of [...trail.contactIds].sort()) {
    try {
      contacts.push(
        await getContact(deps.contacts, caller, contactId, {
          requestId: caller.requestId ?? null,
          ip: caller.ip ?? null,
        }),
      )
    } catch (error) {
      // Erased since: nothing left to tell, and nothing left to read.
      if (!(isAppError(error) && error.code === 'not_found')) throw error
    }
  }
  return { contacts, notContacts: Math.max(0, trail.refs.size - contacts.length) }
}
