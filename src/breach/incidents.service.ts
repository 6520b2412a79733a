import type { AuditEvent } from '../audit/index.js'
import type { CellRef, JsonValue } from '../crypto/index.js'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import { newId } from '../ids.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { getWorkspace, readController } from '../workspaces/index.js'
import type { BreachDeps } from './breach.deps.js'
import {
  insertIncident,
  selectIncident,
  selectIncidents,
  updateIncident,
} from './breach.repository.js'
import { breachSettings } from './breach.settings.js'
import type { BreachIncidentsTable } from './breach.table.js'
import { type Drafts, draftNotices } from './drafts.logic.js'
import { authorityDeadlineOf, type BreachClock, clockOf } from './incidents.logic.js'

/** Who acts on the register, and for which workspace. */
export interface BreachCaller {
  readonly workspaceId: string
  readonly actor: Actor
  readonly requestId?: string | null
  readonly ip?: string | null
}

/** The incident's free text, sealed together under the workspace's key. */
export interface Narrative {
  description: string | null
  consequences: string | null
  measuresTaken: string | null
  measuresProposed: string | null
  dpoAssessment: string | null
  art33Reason: string | null
  art34Reason: string | null
}

const narrativeFields = [
  'description',
  'consequences',
  'measuresTaken',
  'measuresProposed',
  'dpoAssessment',
  'art33Reason',
  'art34Reason',
] as const

export interface IncidentInput extends Partial<Narrative> {
  discoveredAt: string
  awareAt?: string
  nature: readonly string[]
  categories?: readonly string[]
  approxSubjects?: number | null
  approxRecords?: number | null
  art33Decision?: 'notify' | 'not-required' | null
  art34Decision?: 'communicate' | 'not-required' | null
  authorityNotifiedAt?: string | null
  subjectsInformedAt?: string | null
  window?: { from: string; until?: string | null; actorType: string; actorId: string } | null
  status?: 'open' | 'closed'
}

export type IncidentChange = Partial<Omit<IncidentInput, 'discoveredAt'>> & {
  discoveredAt?: string
}

export interface IncidentView extends Narrative {
  id: string
  status: string
  discoveredAt: string
  awareAt: string
  authorityDeadline: string
  clock: BreachClock
  nature: string[]
  categories: string[]
  approxSubjects: number | null
  approxRecords: number | null
  art33Decision: string | null
  art34Decision: string | null
  authorityNotifiedAt: string | null
  subjectsInformedAt: string | null
  window: { from: string; until: string | null; actorType: string; actorId: string } | null
  alertId: string | null
  warnedAt: string | null
  overdueAt: string | null
  createdAt: string
  updatedAt: string
}

function cellOf(workspaceId: string, id: string): CellRef {
  // The workspace's own key holder, as the controller record: no person's erasure
  // reaches the register, and nothing an operator writes there is stored in clear.
  return {
    workspaceId,
    subjectId: workspaceId,
    table: 'breach_incidents',
    column: 'narrative',
    rowId: id,
  }
}

function narrativeOf(input: Partial<Narrative>, base?: Narrative): Narrative {
  const out = { ...(base ?? emptyNarrative()) }
  for (const field of narrativeFields) {
    const value = input[field]
    if (value !== undefined) out[field] = value
  }
  return out
}

function emptyNarrative(): Narrative {
  return {
    description: null,
    consequences: null,
    measuresTaken: null,
    measuresProposed: null,
    dpoAssessment: null,
    art33Reason: null,
    art34Reason: null,
  }
}

function checkTimes(discoveredAt: string, awareAt: string, now: Date): void {
  if (Number.isNaN(Date.parse(discoveredAt)) || Number.isNaN(Date.parse(awareAt))) {
    throw new AppError('invalid_request', 'discoveredAt and awareAt must be ISO 8601 times')
  }
  if (Date.parse(awareAt) < Date.parse(discoveredAt)) {
    throw new AppError('invalid_request', 'awareAt cannot be before discoveredAt')
  }
  if (Date.parse(discoveredAt) > now.getTime() + 60_000) {
    throw new AppError('invalid_request', 'discoveredAt cannot be in the future')
  }
}

/** A new incident's row and its audit event; sealed before any transaction begins. */
export async function prepareIncident(
  deps: Pick<BreachDeps, 'keyring' | 'clock'>,
  workspaceId: string,
  input: IncidentInput,
  opened: { alertId: string | null },
): Promise<BreachIncidentsTable> {
  const now = deps.clock.now()
  const discoveredAt = new Date(input.discoveredAt).toISOString()
  const awareAt = new Date(input.awareAt ?? input.discoveredAt).toISOString()
  checkTimes(discoveredAt, awareAt, now)
  const id = newId(now)
  const narrative = narrativeOf(input)
  return {
    id,
    workspace_id: workspaceId,
    status: input.status ?? 'open',
    discovered_at: discoveredAt,
    aware_at: awareAt,
    // Art. 33(1): 72 hours from becoming aware.
    authority_deadline: authorityDeadlineOf(awareAt),
    nature: JSON.stringify([...new Set(input.nature)]),
    categories: JSON.stringify([...new Set(input.categories ?? [])]),
    approx_subjects: input.approxSubjects ?? null,
    approx_records: input.approxRecords ?? null,
    narrative: await deps.keyring.sealJson(
      cellOf(workspaceId, id),
      narrative as unknown as JsonValue,
    ),
    art33_decision: input.art33Decision ?? null,
    art34_decision: input.art34Decision ?? null,
    authority_notified_at: input.authorityNotifiedAt ?? null,
    subjects_informed_at: input.subjectsInformedAt ?? null,
    window_from: input.window?.from ?? null,
    window_until: input.window?.until ?? null,
    actor_type: input.window?.actorType ?? null,
    actor_id: input.window?.actorId ?? null,
    alert_id: opened.alertId,
    warned_at: null,
    overdue_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }
}

function auditEvent(
  caller: BreachCaller,
  action: AuditEvent['action'],
  id: string,
  details: AuditEvent['details'],
): AuditEvent {
  return {
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action,
    resource: { type: 'breach_incident', id },
    purpose: 'security-monitoring',
    outcome: 'succeeded',
    requestId: caller.requestId ?? null,
    ip: caller.ip ?? null,
    details,
  }
}

/** `POST /v1/breaches`: records an incident in the register (Art. 33(5)). */
export async function openIncident(
  deps: BreachDeps,
  caller: BreachCaller,
  input: IncidentInput,
): Promise<IncidentView> {
  const row = await prepareIncident(deps, caller.workspaceId, input, { alertId: null })
  const prepared = await deps.audit.prepare([
    auditEvent(caller, 'breach.incident_opened', row.id, { source: 'operator' }),
  ])
  await inWriteTransaction(deps.db, async (trx) => {
    await insertIncident(trx, row)
    await deps.audit.recordInTransaction(trx, prepared)
  })
  return viewOf(deps, row)
}

export async function listIncidents(
  deps: BreachDeps,
  workspaceId: string,
): Promise<IncidentView[]> {
  const rows = await selectIncidents(deps.db, workspaceId)
  return Promise.all(rows.map((row) => viewOf(deps, row)))
}

export async function getIncident(
  deps: BreachDeps,
  workspaceId: string,
  id: string,
): Promise<IncidentView> {
  return viewOf(deps, await incidentRow(deps.db, workspaceId, id))
}

export async function incidentRow(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<BreachIncidentsTable> {
  const row = await selectIncident(db, workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such incident')
  return row
}

/** `PATCH /v1/breaches/{id}`: the fields named replace the stored ones. */
export async function changeIncident(
  deps: BreachDeps,
  caller: BreachCaller,
  id: string,
  change: IncidentChange,
): Promise<IncidentView> {
  const row = await incidentRow(deps.db, caller.workspaceId, id)
  const stored = await openNarrative(deps, row)
  const discoveredAt =
    change.discoveredAt === undefined
      ? row.discovered_at
      : new Date(change.discoveredAt).toISOString()
  const awareAt =
    change.awareAt === undefined ? row.aware_at : new Date(change.awareAt).toISOString()
  checkTimes(discoveredAt, awareAt, deps.clock.now())
  const next: Partial<BreachIncidentsTable> = {
    discovered_at: discoveredAt,
    aware_at: awareAt,
    authority_deadline: authorityDeadlineOf(awareAt),
    updated_at: deps.clock.now().toISOString(),
  }
  if (change.status !== undefined) next.status = change.status
  if (change.nature !== undefined) next.nature = JSON.stringify([...new Set(change.nature)])
  if (change.categories !== undefined) {
    next.categories = JSON.stringify([...new Set(change.categories)])
  }
  if (change.approxSubjects !== undefined) next.approx_subjects = change.approxSubjects
  if (change.approxRecords !== undefined) next.approx_records = change.approxRecords
  if (change.art33Decision !== undefined) next.art33_decision = change.art33Decision
  if (change.art34Decision !== undefined) next.art34_decision = change.art34Decision
  if (change.authorityNotifiedAt !== undefined)
    next.authority_notified_at = change.authorityNotifiedAt
  if (change.subjectsInformedAt !== undefined) next.subjects_informed_at = change.subjectsInformedAt
  if (change.window !== undefined) {
    next.window_from = change.window?.from ?? null
    next.window_until = change.window?.until ?? null
    next.actor_type = change.window?.actorType ?? null
    next.actor_id = change.window?.actorId ?? null
  }
  // Art. 33(5): a decision not to notify is documented with its reasons.
  const decided = { ...stored, ...narrativeOf(change, stored) }
  if (
    (change.art33Decision ?? row.art33_decision) === 'not-required' &&
    decided.art33Reason === null
  ) {
    throw new AppError(
      'invalid_request',
      'A decision not to notify the authority needs art33Reason',
    )
  }
  if (
    (change.art34Decision ?? row.art34_decision) === 'not-required' &&
    decided.art34Reason === null
  ) {
    throw new AppError(
      'invalid_request',
      'A decision not to tell the people affected needs art34Reason',
    )
  }
  if (narrativeFields.some((field) => change[field] !== undefined)) {
    next.narrative = await deps.keyring.sealJson(cellOf(row.workspace_id, row.id), decided)
  }
  const fields = Object.keys(change).sort()
  const prepared = await deps.audit.prepare([
    auditEvent(caller, 'breach.incident_changed', id, { fields }),
  ])
  await inWriteTransaction(deps.db, async (trx) => {
    await updateIncident(trx, caller.workspaceId, id, next)
    await deps.audit.recordInTransaction(trx, prepared)
  })
  return getIncident(deps, caller.workspaceId, id)
}

async function openNarrative(
  deps: Pick<BreachDeps, 'keyring'>,
  row: BreachIncidentsTable,
): Promise<Narrative> {
  const opened = await deps.keyring.openJson(cellOf(row.workspace_id, row.id), row.narrative)
  return narrativeOf(opened as Partial<Narrative>)
}

export async function viewOf(
  deps: Pick<BreachDeps, 'keyring' | 'clock'>,
  row: BreachIncidentsTable,
): Promise<IncidentView> {
  return {
    id: row.id,
    status: row.status,
    discoveredAt: row.discovered_at,
    awareAt: row.aware_at,
    authorityDeadline: row.authority_deadline,
    clock: clockOf(
      {
        awareAt: row.aware_at,
        art33Decision: row.art33_decision,
        authorityNotifiedAt: row.authority_notified_at,
      },
      deps.clock.now(),
    ),
    nature: JSON.parse(row.nature) as string[],
    categories: JSON.parse(row.categories) as string[],
    approxSubjects: row.approx_subjects,
    approxRecords: row.approx_records,
    ...(await openNarrative(deps, row)),
    art33Decision: row.art33_decision,
    art34Decision: row.art34_decision,
    authorityNotifiedAt: row.authority_notified_at,
    subjectsInformedAt: row.subjects_informed_at,
    window:
      row.window_from === null || row.actor_type === null || row.actor_id === null
        ? null
        : {
            from: row.window_from,
            until: row.window_until,
            actorType: row.actor_type,
            actorId: row.actor_id,
          },
    alertId: row.alert_id,
    warnedAt: row.warned_at,
    overdueAt: row.overdue_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/**
 * The drafts of the authority notice (Art. 33(3)) and the message to the people affected
 * (Art. 34(2)), in the workspace's notification language, from the register's facts.
 */
export async function draftsOf(deps: BreachDeps, workspaceId: string, id: string): Promise<Drafts> {
  const incident = await getIncident(deps, workspaceId, id)
  const workspace = await getWorkspace(deps.db, workspaceId)
  const controller = await readController(deps, workspaceId)
  const language = breachSettings.read(workspace.settings).breach.notificationLanguage
  return draftNotices(
    {
      controllerName: controller?.legalName ?? workspace.name,
      contactPoint: controller === null ? null : `${controller.dpo.name} <${controller.dpo.email}>`,
      discoveredAt: incident.discoveredAt,
      awareAt: incident.awareAt,
      authorityDeadline: incident.authorityDeadline,
      nature: incident.nature,
      description: incident.description,
      categories: incident.categories,
      approxSubjects: incident.approxSubjects,
      approxRecords: incident.approxRecords,
      consequences: incident.consequences,
      measuresTaken: incident.measuresTaken,
      measuresProposed: incident.measuresProposed,
      late: incident.clock.state === 'overdue',
    },
    language,
  )
}
