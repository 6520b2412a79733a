import type { BlindIndexer } from '../crypto/keyring.js'
import type { SubjectSealer } from '../crypto/subject-sealer.js'
import {
  type ConsentDecision,
  type LedgerContext,
  linkIdentifiers,
  mayProcessMany,
  type SubjectIdentifier,
} from '../consent/index.js'
import { AppError, isAppError } from '../errors.js'
import { actorOf, type Principal } from '../identity/principal.js'
import { newId } from '../ids.js'
import { getWorkspace, type Workspace } from '../workspaces/workspaces.service.js'
import { enrichOrigins } from './enrich.js'
import { isValidIdentityToken } from './identity-token.js'
import { identifyVisitor } from './identify-visitor.js'
import type { TrackingDeps } from './tracking.deps.js'
import {
  type CheckedEvent,
  checkEvent,
  eventProblem,
  isRejected,
  normaliseIp,
  type Origin,
  parseTimestamp,
  payloadOf,
  type RejectedEvent,
} from './tracking.logic.js'
import { eventCell, type TrackingEventsTable } from './tracking.table.js'

export interface IngestInput {
  principal: Principal
  batch: readonly unknown[]
  sentAt?: string | undefined
  /** The request's own IP and user agent: the browser's, or the customer's server's. */
  origin: Origin
  requestId: string | null
}

export interface IngestResult {
  accepted: number
  duplicates: number
  rejected: RejectedEvent[]
}

/** An event that may be processed, with the consent subject whose key seals it. */
interface Admitted extends CheckedEvent {
  subjectId: string
}

/**
 * Ingests a batch: checks each event on its own, asks consent for analytics first
 * (a refused event is rejected with reason `consent` and nothing of it is stored),
 * links identify events to their contact, enriches with user agent and location,
 * seals each event's personal fields as one envelope and hands the rows to the group
 * committer. Resolves once the accepted events are durable.
 */
export async function ingestEvents(deps: TrackingDeps, input: IngestInput): Promise<IngestResult> {
  const workspace = await getWorkspace(deps.db, input.principal.workspaceId)
  const now = deps.clock.now()
  const rejected: RejectedEvent[] = []
  const checked: CheckedEvent[] = []
  const options = {
    now,
    retentionDays: workspace.settings.retentionDays.events,
    sentAt: sentAtOf(input.sentAt),
    mayRelayContext: input.principal.kind !== 'public-key',
  }
  const indexer = await deps.keyring.indexerFor(workspace.id)
  input.batch.forEach((raw, index) => {
    const result = checkEvent(raw, index, options)
    if (isRejected(result)) rejected.push(result)
    else if (!mayNameExternalId(input.principal, indexer, result)) {
      rejected.push(unverifiedRejection(index))
    } else checked.push(result)
  })
  const admitted = await admit(deps, workspace, input, checked, rejected)
  const rows = await sealRows(deps, workspace, input, admitted, rejected, now)
  const inserted = await deps.writer.write(rows)
  rejected.sort((a, b) => a.index - b.index)
  return {
    accepted: rows.length,
    duplicates: inserted.filter((isNew) => !isNew).length,
    rejected,
  }
}

/** The public key names an external id only with its token (see identity-token.ts). */
function mayNameExternalId(principal: Principal, indexer: BlindIndexer, event: CheckedEvent) {
  if (principal.kind !== 'public-key' || event.externalId === undefined) return true
  return isValidIdentityToken(indexer, event.externalId, event.input.identityToken)
}

function unverifiedRejection(index: number): RejectedEvent {
  return {
    index,
    problem: eventProblem(
      'forbidden',
      `Event ${index}: with the public key, an externalId needs the identityToken your server got for it`,
      [{ in: 'body', field: 'identityToken', message: 'is missing or does not match externalId' }],
    ),
  }
}

function sentAtOf(sentAt: string | undefined): Date | undefined {
  if (sentAt === undefined) return undefined
  const parsed = parseTimestamp(sentAt)
  if (parsed === undefined) {
    throw new AppError('invalid_request', 'sentAt must be an ISO 8601 date-time with a time zone', {
      errors: [{ in: 'body', field: 'sentAt', message: 'is not an ISO 8601 date-time' }],
    })
  }
  return parsed
}

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
async function admit(
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
      occurredAt: event.occurredAt,
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
function originOf(input: IngestInput, event: CheckedEvent): Origin {
  if (input.principal.kind === 'public-key') return input.origin
  const relayed = event.input.context
  return {
    ip: relayed?.ip === undefined ? null : normaliseIp(relayed.ip),
    userAgent: relayed?.userAgent ?? null,
  }
}

async function sealRows(
  deps: TrackingDeps,
  workspace: Workspace,
  input: IngestInput,
  admitted: readonly Admitted[],
  rejected: RejectedEvent[],
  now: Date,
): Promise<TrackingEventsTable[]> {
  if (admitted.length === 0) return []
  const subjectIds = [...new Set(admitted.map((event) => event.subjectId))]
  const sealers = await deps.keyring.sealersFor(workspace.id, subjectIds, { create: false })
  const indexer = await deps.keyring.indexerFor(workspace.id)
  // A batch is mostly one visitor: each identifier is indexed once, not once per event.
  const indexes = new Map<string, Buffer>()
  const indexOf = (kind: 'anonymous_id' | 'external_id', value: string | undefined) => {
    if (value === undefined) return null
    const key = `${kind}:${value}`
    let index = indexes.get(key)
    if (index === undefined) {
      index = indexer.index(kind, value)
      indexes.set(key, index)
    }
    return index
  }
  const origins = new Map(admitted.map((event) => [event.index, originOf(input, event)]))
  const enrichmentOf = await enrichOrigins(
    deps,
    [...origins.values()],
    workspace.settings.tracking.ipStorage,
  )
  const receivedAt = now.toISOString()
  const rows: TrackingEventsTable[] = []
  for (const event of admitted) {
    const sealer: SubjectSealer | undefined = sealers.get(event.subjectId)
    if (sealer === undefined) {
      rejected.push({
        index: event.index,
        problem: eventProblem('subject_erased', `Event ${event.index}: the visitor was erased`),
      })
      continue
    }
    const enrichment = enrichmentOf(origins.get(event.index) ?? input.origin)
    const { agent, place } = enrichment
    const id = event.id ?? newId(now)
    const payload = payloadOf(event.input, enrichment)
    rows.push({
      workspace_id: workspace.id,
      id,
      type: event.type,
      subject_id: event.subjectId,
      anonymous_index: indexOf('anonymous_id', event.anonymousId),
      external_index: indexOf('external_id', event.externalId),
      occurred_at: event.occurredAt.toISOString(),
      received_at: receivedAt,
      browser: agent.browser,
      browser_version: agent.browserVersion,
      os: agent.os,
      device: agent.device,
      country: place?.country ?? null,
      sealed: sealer.sealJson(eventCell(id), payload),
    })
  }
  return rows
}
