import {
  type ConsentDecision,
  type LedgerContext,
  linkIdentifiers,
  mayProcessMany,
} from '../consent/index.js'
import { isAppError } from '../errors.js'
import { actorOf } from '../identity/index.js'
import type { SubjectIdentifier } from '../subjects/index.js'
import type { Workspace } from '../workspaces/index.js'
import { identifyVisitor } from './identify-visitor.js'
import type { Admitted, IngestInput } from './ingest-events.js'
import type { TrackingDeps } from './tracking.deps.js'
import {
  type CheckedEvent,
  eventProblem,
  normaliseIp,
  type Origin,
  type RejectedEvent,
} from './tracking.logic.js'

// Which events of a batch may be processed, and under which subject's key.

function subjectOf(event: CheckedEvent): SubjectIdentifier {
  return event.anonymousId !== undefined
    ? { anonymousId: event.anonymousId }
    : { externalId: event.externalId ?? '' }
}

const subjectKey = (subject: SubjectIdentifier) => JSON.stringify(subject)

/**
 * Consent first (DESIGN principle 3): one question per distinct subject of the batch,
 * so a refused visitor's 50 events make one audited refusal, not 50. Then identify
 * events link their visitor, and subjects processed on a basis other than consent
 * (unknown to the ledger until now) are registered so their events have a key.
 */
export async function admit(
  deps: TrackingDeps,
  workspace: Workspace,
  input: IngestInput,
  checked: readonly CheckedEvent[],
  rejected: RejectedEvent[],
): Promise<Admitted[]> {
  const subjects = [
    ...new Map(checked.map((e) => [subjectKey(subjectOf(e)), subjectOf(e)])).values(),
  ]
  const decisions = new Map<string, ConsentDecision>()
  if (subjects.length > 0) {
    const answers = await mayProcessMany(deps, {
      workspace,
      subjects,
      purpose: 'analytics',
      now: deps.clock.now(),
      actor: actorOf(input.principal),
      requestId: input.requestId,
    })
    subjects.forEach((subject, position) => {
      const answer = answers[position]
      if (answer !== undefined) decisions.set(subjectKey(subject), answer)
    })
  }
  const admitted: Admitted[] = []
  const registered = new Map<string, string>()
  for (const event of checked) {
    const decision = decisions.get(subjectKey(subjectOf(event)))
    if (decision === undefined || !decision.allowed) {
      rejected.push(consentRejection(event.index, decision))
      continue
    }
    try {
      const subjectId = await subjectIdFor(deps, workspace, input, event, decision, registered)
      admitted.push({ ...event, subjectId })
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error
      rejected.push({ index: event.index, problem: eventProblem(error.code, error.message) })
    }
  }
  return admitted
}

function consentRejection(index: number, decision: ConsentDecision | undefined): RejectedEvent {
  const reason = decision?.reason ?? 'no_consent'
  return {
    index,
    problem: eventProblem(
      'consent_denied',
      `Event ${index}: analytics may not process this visitor (${reason}); nothing of it was stored`,
    ),
  }
}

async function subjectIdFor(
  deps: TrackingDeps,
  workspace: Workspace,
  input: IngestInput,
  event: CheckedEvent,
  decision: ConsentDecision,
  registered: Map<string, string>,
): Promise<string> {
  const context = ledgerContextOf(input, event)
  if (event.type === 'identify' && event.externalId !== undefined) {
    return identifyVisitor(deps, {
      workspaceId: workspace.id,
      anonymousId: event.anonymousId,
      externalId: event.externalId,
      traits: event.input.traits,
      actor: actorOf(input.principal),
      context,
    })
  }
  if (decision.subjectId !== null) return decision.subjectId
  const key = subjectKey(subjectOf(event))
  const known = registered.get(key)
  if (known !== undefined) return known
  const linked = await linkIdentifiers(deps, {
    workspaceId: workspace.id,
    identifiers: [subjectOf(event)],
    context,
  })
  registered.set(key, linked.subjectId)
  return linked.subjectId
}

function ledgerContextOf(input: IngestInput, event: CheckedEvent): LedgerContext {
  const origin = originOf(input, event)
  return {
    source: input.principal.kind === 'public-key' ? 'sdk' : 'api',
    actor: actorOf(input.principal),
    requestId: input.requestId,
    ip: origin.ip,
    userAgent: origin.userAgent,
    callerIp: input.origin.ip,
  }
}

/**
 * Whose IP and user agent an event is enriched with: the browser's own request for the
 * public key; for a server, what it relays about its end-user (its own address is not
 * the person's, so without a relayed one there is none).
 */
export function originOf(input: IngestInput, event: CheckedEvent): Origin {
  if (input.principal.kind === 'public-key') return input.origin
  const relayed = event.input.context
  return {
    ip: relayed?.ip === undefined ? null : normaliseIp(relayed.ip),
    userAgent: relayed?.userAgent ?? null,
  }
}
