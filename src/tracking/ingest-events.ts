import type { BlindIndexer } from '../crypto/index.js'
import type { SubjectSealer } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type { Principal } from '../identity/index.js'
import { newId } from '../ids.js'
import { getWorkspace, type Workspace } from '../workspaces/index.js'
import { contactIndexesOf } from './contact-activity.js'
import { enrichOrigins } from './enrich.js'
import { isValidIdentityToken } from './identity-token.js'
import { admit, originOf } from './admit-events.js'
import type { TrackingDeps } from './tracking.deps.js'
import { trackingSettings } from './tracking.settings.js'
import {
  type CheckedEvent,
  checkEvent,
  eventProblem,
  isRejected,
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

/** An event that may be processed, with the subject whose key seals it. */
export interface Admitted extends CheckedEvent {
  subjectId: string
}

/**
 * Ingests a batch: checks each event on its own, asks consent for analytics first
 * (a refused event is rejected with reason `consent` and nothing of it is stored),
 * links identify events to their contact, enriches with user agent and location,
 * seals each event's personal fields as one envelope and hands the rows to the group
 * committer, which also moves the last activity of the contacts they belong to.
 * Resolves once the accepted events (and that activity) are durable.
 *
 * Accepted events are not written to the audit log one by one: they are the visitor's
 * own device reporting under a lawful basis the ledger proves, and an entry per beacon
 * would double the write volume. What the audit log holds is every refusal (from
 * `mayProcessMany`), every identify (the link and the contact), and every read.
 */
export async function ingestEvents(deps: TrackingDeps, input: IngestInput): Promise<IngestResult> {
  const workspace = await getWorkspace(deps.db, input.principal.workspaceId)
  const now = deps.clock.now()
  const rejected: RejectedEvent[] = []
  const checked: CheckedEvent[] = []
  const options = {
    now,
    retentionDays: trackingSettings.read(workspace.settings).retentionDays.events,
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
  const links = await contactIndexesOf(deps, workspace.id, rows)
  const inserted = await deps.writer.write(rows, links)
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
    trackingSettings.read(workspace.settings).tracking.ipStorage,
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
