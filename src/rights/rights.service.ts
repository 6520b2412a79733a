import { findContacts } from '../contacts/index.js'
import { AppError } from '../errors.js'
import type { Actor, Principal } from '../identity/index.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import { getWorkspace } from '../workspaces/index.js'
import { type RequestClocks, extensionClock, mayExtend, requestClocks } from './request-clocks.js'
import {
  type Note,
  openEnvelope,
  type RequestDetails,
  type RequestEnvelope,
  type RequestSubject,
  sealEnvelope,
} from './request-envelope.js'
import {
  assertRejectionArticle,
  assertTransition,
  isOpen,
  type RequestChannel,
  type RequestStatus,
  type RequestType,
} from './request-states.logic.js'
import type { RightsAuditAction } from './rights.audit.js'
import type { RightsDeps } from './rights.deps.js'
import { extendedMail, rejectedMail } from './rights.mail.js'
import {
  appendEvent,
  countPortalFilings,
  findOpenDuplicate,
  findRequest,
  insertRequest,
  listEvents,
  listQueueRows,
  listRequestRows,
  type RequestFilters,
  serialiseOn,
  updateRequest,
} from './rights.repository.js'
import { rightsSettings } from './rights.settings.js'
import type { RightsRequestsTable } from './rights.table.js'
import { sendCode } from './verification.service.js'

/** Who is acting on a request, and through which door. */
export interface RightsCaller {
  workspaceId: string
  principal: Principal['kind'] | 'system'
  actor: Actor
}

/** The request's place in the audit log and the client's address (for the portal's limit). */
export interface RightsContext {
  requestId?: string | null
  ip?: string | null
}

export interface FileRequestInput {
  type: RequestType
  subject: RequestSubject
  details?: RequestDetails
  /** When the request really arrived (by post, by mail): never in the future. */
  receivedAt?: string
  channel?: RequestChannel
  /** The filer already confirmed the person's identity, and says how. */
  verification?: { reason: string }
  /**
   * What the filer vouched for about the person without confirming it here (an
   * authorised agent's identity claims): kept on the request as a note for whoever
   * verifies it, never a verification by itself.
   */
  evidence?: string
}

/** What the queue shows: no identifier, no details, nothing opened. */
export interface RequestView {
  id: string
  type: RequestType
  status: RequestStatus
  channel: string
  receivedAt: string
  dueAt: string
  legalDueDate: string
  legalDueAt: string
  extendedDueDate: string | null
  extendedDueAt: string | null
  overdue: boolean
  duplicateOf: string | null
  verifiedAt: string | null
  verificationMethod: string | null
  rejectionArticle: string | null
  outcome: unknown
  failure: unknown
  decidedUnder: unknown
  exportExpiresAt: string | null
  createdAt: string
  updatedAt: string
  completedAt: string | null
}

export interface TimelineEntry {
  at: string
  event: string
  actor: string
  detail: string | null
}

/** One request opened for an operator: who it is about, the details and the timeline. */
export interface RequestDetailView extends RequestView {
  subject: RequestSubject
  replyTo: string | null
  details: RequestDetails | null
  notes: Note[]
  timeline: TimelineEntry[]
}

/** What the person's own door answers: the clocks, nothing about anyone. */
export type FiledView = Pick<
  RequestView,
  'id' | 'type' | 'status' | 'receivedAt' | 'dueAt' | 'legalDueDate' | 'legalDueAt'
>

/** How often the privacy portal takes requests: per person and per address. */
export const portalLimits = Object.freeze({ perEmailPerDay: 5, perAddressPerHour: 20 })

export function actorLabel(caller: Pick<RightsCaller, 'principal' | 'actor'>): string {
  if (caller.actor.actorId === null) return caller.actor.actorType
  const kind = caller.principal === 'public-key' ? 'public-key' : caller.actor.actorType
  return `${kind}:${caller.actor.actorId}`
}

/**
 * Receives a request (Art. 12(1)–(3)): the clocks start at receipt, a duplicate of an
 * open request is linked to it and still verified on its own (deduplication never
 * bypasses verification), and a person's own request through the portal always starts
 * unverified, with a code on its way.
 */
export async function fileRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  input: FileRequestInput,
  context: RightsContext = {},
): Promise<RequestView> {
  const fromPortal = caller.principal === 'public-key'
  const now = deps.clock.now()
  const receivedAt = receivedAtOf(input.receivedAt, now, fromPortal)
  if (fromPortal && input.verification !== undefined) {
    throw new AppError('forbidden', "A person's own request is verified by the code mailed to them")
  }
  if (fromPortal && !('email' in input.subject)) {
    throw new AppError('invalid_request', 'Name yourself by your email: the code goes there', {
      errors: [{ in: 'body', field: 'subject', message: 'needs an email through the portal' }],
    })
  }
  const channel: RequestChannel = fromPortal ? 'portal' : (input.channel ?? 'api')
  const workspace = await getWorkspace(deps.db, caller.workspaceId)
  const settings = rightsSettings.read(workspace.settings)
  const clocks = requestClocks(receivedAt, settings)
  const indexer = await deps.keyring.indexerFor(caller.workspaceId)
  const [kind, value] =
    'email' in input.subject
      ? (['email', input.subject.email] as const)
      : (['external_id', input.subject.externalId] as const)
  const subjectIndex = indexer.index(kind, value)
  const fromIndex = fromPortal && context.ip ? indexer.index('ip_address', context.ip) : null
  const replyTo =
    'email' in input.subject
      ? input.subject.email
      : await emailOfContact(deps, caller, input.subject.externalId, context)
  const id = newId(now)
  const nowIso = now.toISOString()
  const notes: Note[] = []
  if (input.verification !== undefined) {
    notes.push({ at: nowIso, kind: 'verification', text: input.verification.reason })
  }
  if (input.evidence !== undefined) {
    notes.push({ at: nowIso, kind: 'evidence', text: input.evidence })
  }
  if (input.receivedAt !== undefined) {
    notes.push({ at: nowIso, kind: 'backdating', text: `Received ${receivedAt.toISOString()}` })
  }
  const envelope: RequestEnvelope = {
    subject: input.subject,
    replyTo,
    details: input.details ?? null,
    notes,
  }
  const row = await inWriteTransaction(deps.db, async (trx) => {
    if (fromPortal) await assertPortalLimit(trx, caller.workspaceId, subjectIndex, fromIndex, now)
    const duplicateOf = await findOpenDuplicate(trx, caller.workspaceId, input.type, subjectIndex)
    const verified = input.verification !== undefined
    const row: RightsRequestsTable = {
      id,
      workspace_id: caller.workspaceId,
      type: input.type,
      status: verified ? 'in-progress' : 'received',
      channel,
      filed_by: actorLabel(caller),
      filed_from_index: fromIndex,
      subject_kind: kind,
      subject_index: subjectIndex,
      sealed: await sealEnvelope(deps.keyring, caller.workspaceId, id, envelope, { db: trx }),
      ...clockColumns(clocks),
      extended_due_date: null,
      extended_due_at: null,
      duplicate_of: duplicateOf ?? null,
      verified_at: verified ? nowIso : null,
      verification_method: verified ? 'filer' : null,
      code_hash: null,
      code_expires_at: null,
      code_attempts: 0,
      codes_sent: 0,
      verification_reminded_at: null,
      rejection_article: null,
      decided_under: null,
      outcome: null,
      failure: null,
      export_token_hash: null,
      agent_export_token_hash: null,
      export_expires_at: null,
      due_reminded_at: null,
      overdue_reminded_at: null,
      created_at: nowIso,
      updated_at: nowIso,
      completed_at: null,
    }
    await insertRequest(trx, row)
    const actor = actorLabel(caller)
    await appendEvent(trx, {
      workspace_id: caller.workspaceId,
      request_id: id,
      at: nowIso,
      event: 'received',
      actor,
      detail: duplicateOf === undefined ? channel : `${channel}; repeats ${duplicateOf}`,
    })
    if (verified) {
      await appendEvent(trx, {
        workspace_id: caller.workspaceId,
        request_id: id,
        at: nowIso,
        event: 'verified',
        actor,
        detail: 'by the filer',
      })
    }
    return row
  })
  await audit(deps, caller, context, 'rights.request_filed', row, {
    type: row.type,
    channel,
    backdated: input.receivedAt !== undefined,
    duplicate: row.duplicate_of !== null,
  })
  if (row.status === 'received' && replyTo !== null) {
    // A failed mail leaves the request in `received` with the failure on its timeline:
    // an operator sees it and sends again or verifies by hand.
    await sendCode(deps, caller, row, { reminder: false }, context).catch((error: unknown) => {
      deps.logger.warn({ err: error, requestId: row.id }, 'verification code not sent')
    })
  }
  return viewOf((await findRequest(deps.db, caller.workspaceId, id)) ?? row, now)
}

function receivedAtOf(given: string | undefined, now: Date, fromPortal: boolean): Date {
  if (given === undefined) return now
  if (fromPortal) {
    throw new AppError('forbidden', 'Only the controller may record when a request was received')
  }
  const at = new Date(given)
  if (Number.isNaN(at.getTime())) {
    throw new AppError('invalid_request', 'receivedAt is not a date-time', {
      errors: [{ in: 'body', field: 'receivedAt', message: 'must be an RFC 3339 date-time' }],
    })
  }
  if (at.getTime() > now.getTime()) {
    throw new AppError('invalid_request', 'A request cannot be received in the future', {
      errors: [{ in: 'body', field: 'receivedAt', message: 'must not be in the future' }],
    })
  }
  return at
}

async function emailOfContact(
  deps: RightsDeps,
  caller: RightsCaller,
  externalId: string,
  context: RightsContext,
): Promise<string | null> {
  const [contact] = await findContacts(
    deps.contacts,
    { workspaceId: caller.workspaceId, actor: caller.actor },
    { externalId },
    context,
  )
  return contact?.email ?? null
}

async function assertPortalLimit(
  trx: RightsDeps['db'],
  workspaceId: string,
  subjectIndex: Buffer,
  fromIndex: Buffer | null,
  now: Date,
): Promise<void> {
  // Both keys are locked before either is counted, always in this order: two filings
  // serialise, so the limit holds however many arrive at once.
  await serialiseOn(trx, `rights-portal:${subjectIndex.toString('hex')}`)
  if (fromIndex !== null) await serialiseOn(trx, `rights-portal:${fromIndex.toString('hex')}`)
  const day = new Date(now.getTime() - 24 * 3_600_000).toISOString()
  const hour = new Date(now.getTime() - 3_600_000).toISOString()
  const byEmail = await countPortalFilings(trx, workspaceId, { subjectIndex }, day)
  if (byEmail >= portalLimits.perEmailPerDay) {
    throw new AppError('rate_limited', 'Too many requests for this person today; try tomorrow', {
      headers: { 'retry-after': String(24 * 3600) },
    })
  }
  if (fromIndex === null) return
  const byAddress = await countPortalFilings(trx, workspaceId, { fromIndex }, hour)
  if (byAddress >= portalLimits.perAddressPerHour) {
    throw new AppError('rate_limited', 'Too many requests from this address; try in an hour', {
      headers: { 'retry-after': '3600' },
    })
  }
}

export function clockColumns(clocks: RequestClocks) {
  return {
    received_at: clocks.receivedAt.toISOString(),
    due_at: clocks.dueAt.toISOString(),
    legal_due_date: clocks.legalDueDate,
    legal_due_at: clocks.legalDueAt.toISOString(),
  }
}

export async function listRequests(
  deps: Pick<RightsDeps, 'db' | 'clock'>,
  workspaceId: string,
  filters: Omit<RequestFilters, 'overdueAt'> & { overdue?: boolean },
): Promise<{ data: RequestView[]; more: boolean }> {
  const now = deps.clock.now()
  const { overdue, ...rest } = filters
  const rows = await listRequestRows(deps.db, workspaceId, {
    ...rest,
    limit: filters.limit + 1,
    ...(overdue === true ? { overdueAt: now.toISOString() } : {}),
  })
  const more = rows.length > filters.limit
  return { data: rows.slice(0, filters.limit).map((row) => viewOf(row, now)), more }
}

/**
 * The open requests of every workspace (or one), soonest due first, for `custodian dsar
 * list`: ids, types, states and clocks, nothing that names the person.
 */
export async function listQueue(
  deps: Pick<RightsDeps, 'db' | 'clock'>,
  filters: { workspaceId?: string; overdue?: boolean },
): Promise<(RequestView & { workspaceId: string })[]> {
  const now = deps.clock.now()
  const rows = await listQueueRows(deps.db, {
    openOnly: true,
    ...(filters.workspaceId !== undefined ? { workspaceId: filters.workspaceId } : {}),
    ...(filters.overdue === true ? { overdueAt: now.toISOString() } : {}),
  })
  return rows.map((row) => ({ workspaceId: row.workspace_id, ...viewOf(row, now) }))
}

/** One request with its subject and details opened: a read of personal data, audited. */
export async function getRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  context: RightsContext = {},
): Promise<RequestDetailView> {
  const row = await requireRequest(deps, caller.workspaceId, id)
  const envelope = await openEnvelope(deps.keyring, caller.workspaceId, id, row.sealed)
  const timeline = await listEvents(deps.db, caller.workspaceId, id)
  await audit(deps, caller, context, 'rights.request_read', row, { type: row.type })
  return {
    ...viewOf(row, deps.clock.now()),
    subject: envelope.subject,
    replyTo: envelope.replyTo,
    details: envelope.details,
    notes: envelope.notes,
    timeline: timeline.map(({ at, event, actor, detail }) => ({ at, event, actor, detail })),
  }
}

export async function requireRequest(
  deps: Pick<RightsDeps, 'db'>,
  workspaceId: string,
  id: string,
): Promise<RightsRequestsTable> {
  const row = await findRequest(deps.db, workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such request')
  return row
}

/** Art. 12(4): a refusal names its ground and tells the person of their remedies. */
export async function rejectRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  input: { reason: string; article: string },
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  const article = assertRejectionArticle(current.type as RequestType, input.article)
  const row = await transition(deps, caller, current, 'rejected', {
    event: 'rejected',
    detail: article,
    note: { kind: 'rejection', text: input.reason },
    changes: { rejection_article: article, completed_at: deps.clock.now().toISOString() },
  })
  await audit(deps, caller, context, 'rights.request_rejected', row, {
    type: row.type,
    article,
  })
  await mailPerson(deps, row, (about) => rejectedMail(about, article, input.reason))
  return viewOf(row, deps.clock.now())
}

export async function withdrawRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  input: { reason?: string },
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  const row = await transition(deps, caller, current, 'withdrawn', {
    event: 'withdrawn',
    detail: null,
    ...(input.reason === undefined ? {} : { note: { kind: 'withdrawal', text: input.reason } }),
    changes: { completed_at: deps.clock.now().toISOString(), code_hash: null },
  })
  await audit(deps, caller, context, 'rights.request_withdrawn', row, { type: row.type })
  return viewOf(row, deps.clock.now())
}

/**
 * Art. 12(3): the period may be extended by two further months where necessary, taking
 * into account the complexity and number of requests; the person is told within the
 * first month, with the reasons. So: only once, only while the request is open, and only
 * before the legal due date has passed.
 */
export async function extendRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  input: { reason: string },
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  const now = deps.clock.now()
  if (!isOpen(current.status as RequestStatus)) {
    throw new AppError('conflict', `A request that is ${current.status} cannot be extended`)
  }
  if (current.extended_due_date !== null) {
    throw new AppError('conflict', 'The request was already extended (Art. 12(3) allows once)')
  }
  if (!mayExtend(new Date(current.legal_due_at), now)) {
    throw new AppError(
      'conflict',
      'The legal due date has passed: an extension must be made within the first month',
    )
  }
  const workspace = await getWorkspace(deps.db, caller.workspaceId)
  const extended = extensionClock(
    new Date(current.received_at),
    rightsSettings.read(workspace.settings),
  )
  const row = await update(deps, caller, current, {
    event: 'extended',
    detail: extended.date,
    note: { kind: 'extension', text: input.reason },
    changes: { extended_due_date: extended.date, extended_due_at: extended.at.toISOString() },
  })
  await audit(deps, caller, context, 'rights.request_extended', row, {
    type: row.type,
    extendedDueDate: extended.date,
  })
  await mailPerson(deps, row, (about) => extendedMail(about, extended.date, input.reason))
  return viewOf(row, now)
}

interface Change {
  event: string
  detail: string | null
  note?: Omit<Note, 'at'>
  changes?: Partial<RightsRequestsTable>
}

/** Moves a request to `to`, refusing what the state machine does not allow. */
export async function transition(
  deps: RightsDeps,
  caller: Pick<RightsCaller, 'principal' | 'actor'>,
  current: RightsRequestsTable,
  to: RequestStatus,
  change: Change,
): Promise<RightsRequestsTable> {
  assertTransition(current.status as RequestStatus, to)
  return update(deps, caller, current, {
    ...change,
    changes: { ...change.changes, status: to },
  })
}

/**
 * Changes a request, appends its timeline entry and, with a note, reseals the envelope,
 * in one transaction that first checks the request is still as the caller read it.
 */
export async function update(
  deps: RightsDeps,
  caller: Pick<RightsCaller, 'principal' | 'actor'>,
  current: RightsRequestsTable,
  change: Change,
): Promise<RightsRequestsTable> {
  const now = deps.clock.now().toISOString()
  return inWriteTransaction(deps.db, async (trx) => {
    await serialiseOn(trx, `rights-request:${current.id}`)
    const fresh = await findRequest(trx, current.workspace_id, current.id)
    // updated_at has millisecond resolution, so two changes read from the same row in
    // one millisecond would both pass on it alone; the code counter is checked too, or a
    // burst of "send me a code" calls mails past the limit (Art. 12(6), Art. 32).
    if (
      fresh === undefined ||
      fresh.status !== current.status ||
      fresh.updated_at !== current.updated_at ||
      fresh.codes_sent !== current.codes_sent
    ) {
      throw new AppError('conflict', 'The request changed meanwhile; read it again')
    }
    const changes: Partial<RightsRequestsTable> = { ...change.changes, updated_at: now }
    if (change.note !== undefined) {
      const envelope = await openEnvelope(
        deps.keyring,
        fresh.workspace_id,
        fresh.id,
        fresh.sealed,
        { db: trx },
      )
      envelope.notes.push({ at: now, ...change.note })
      changes.sealed = await sealEnvelope(deps.keyring, fresh.workspace_id, fresh.id, envelope, {
        db: trx,
      })
    }
    await updateRequest(trx, fresh.workspace_id, fresh.id, changes)
    await appendEvent(trx, {
      workspace_id: fresh.workspace_id,
      request_id: fresh.id,
      at: now,
      event: change.event,
      actor: actorLabel(caller),
      detail: change.detail,
    })
    return { ...fresh, ...changes }
  })
}

/** Mails the person about their request; a failure is put on the timeline, never lost. */
export async function mailPerson(
  deps: RightsDeps,
  row: RightsRequestsTable,
  compose: (about: { to: string; workspace: string; requestId: string; type: RequestType }) => {
    to: string
    subject: string
    text: string
  },
): Promise<boolean> {
  const envelope = await openEnvelope(deps.keyring, row.workspace_id, row.id, row.sealed)
  if (envelope.replyTo === null) return false
  const workspace = await getWorkspace(deps.db, row.workspace_id)
  try {
    await deps.mail.send(
      compose({
        to: envelope.replyTo,
        workspace: workspace.name,
        requestId: row.id,
        type: row.type as RequestType,
      }),
    )
    return true
  } catch (error) {
    deps.logger.warn({ err: error, requestId: row.id }, 'mail to the requester failed')
    await appendEvent(deps.db, {
      workspace_id: row.workspace_id,
      request_id: row.id,
      at: deps.clock.now().toISOString(),
      event: 'mail-failed',
      actor: 'system',
      detail: error instanceof AppError ? error.code : 'internal',
    })
    return false
  }
}

export async function audit(
  deps: Pick<RightsDeps, 'audit'>,
  caller: Pick<RightsCaller, 'actor'>,
  context: RightsContext,
  action: RightsAuditAction,
  row: Pick<RightsRequestsTable, 'id' | 'workspace_id'>,
  details: Record<string, string | number | boolean | null>,
): Promise<void> {
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor: caller.actor,
    action,
    resource: { type: 'rights_request', id: row.id },
    purpose: 'dsar',
    outcome: 'succeeded',
    requestId: context.requestId ?? null,
    ip: context.ip ?? null,
    details,
  })
}

export function viewOf(row: RightsRequestsTable, now: Date): RequestView {
  const status = row.status as RequestStatus
  return {
    id: row.id,
    type: row.type as RequestType,
    status,
    channel: row.channel,
    receivedAt: row.received_at,
    dueAt: row.due_at,
    legalDueDate: row.legal_due_date,
    legalDueAt: row.legal_due_at,
    extendedDueDate: row.extended_due_date,
    extendedDueAt: row.extended_due_at,
    overdue: isOpen(status) && row.due_at < now.toISOString(),
    duplicateOf: row.duplicate_of,
    verifiedAt: row.verified_at,
    verificationMethod: row.verification_method,
    rejectionArticle: row.rejection_article,
    outcome: parsed(row.outcome),
    failure: parsed(row.failure),
    decidedUnder: parsed(row.decided_under),
    exportExpiresAt: row.export_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  }
}

export function filedViewOf(view: RequestView): FiledView {
  const { id, type, status, receivedAt, dueAt, legalDueDate, legalDueAt } = view
  return { id, type, status, receivedAt, dueAt, legalDueDate, legalDueAt }
}

function parsed(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown)
}
