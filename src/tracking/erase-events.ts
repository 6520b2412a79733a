import type { Actor } from '../identity/principal.js'
import type { TrackingDeps } from './tracking.deps.js'
import { deleteEventsOfSubjects } from './tracking.repository.js'

/**
 * Art. 17 for the tracking module, for the rights module to call with the consent
 * subject ids `eraseConsentSubject` returned (the person and every subject linked into
 * them). Their keys are already destroyed, so these events could no longer be opened
 * anywhere; the rows go too, leaving no coarse trace (browser, country) behind.
 */
export async function eraseTrackedEvents(
  deps: Pick<TrackingDeps, 'db' | 'audit'>,
  input: {
    workspaceId: string
    subjectIds: readonly string[]
    actor: Actor
    requestId?: string | null
  },
): Promise<{ events: number }> {
  if (input.subjectIds.length === 0) return { events: 0 }
  const events = await deleteEventsOfSubjects(deps.db, input.workspaceId, input.subjectIds)
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'events.erased',
    resource: { type: 'events' },
    outcome: 'succeeded',
    requestId: input.requestId ?? null,
    details: { subjects: input.subjectIds.length, events },
  })
  return { events }
}
