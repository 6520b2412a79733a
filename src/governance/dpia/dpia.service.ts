import { Value } from 'typebox/value'
import { AppError } from '../../errors.js'
import type { Actor, RequestContext } from '../../identity/index.js'
import { newId } from '../../ids.js'
import type { GovernanceDeps } from '../governance.deps.js'
import type { AssessmentSummary } from '../ropa/ropa.logic.js'
import { loadCustodianDpia } from './custodian-dpia.js'
import { aYearFrom, isOverdue, scored } from './dpia.logic.js'
import {
  hasSeed,
  insertDpia,
  insertSeedUnlessPresent,
  selectDpia,
  selectDpias,
  updateDpia,
} from './dpia.repository.js'
import {
  type Assessment,
  type AssessmentFields,
  AssessmentFieldsSchema,
  type RiskRegisterEntry,
} from './dpia.schema.js'
import type { DpiasTable } from './dpia.table.js'

const platformSeed = 'custodian-platform'

export interface DpiaCaller {
  readonly workspaceId: string
  readonly actor: Actor
  /** Only the data protection officer signs off (Art. 35(2): the controller seeks the DPO's advice). */
  readonly isDpo: boolean
}

/**
 * The workspace's DPIA register, the instance's own DPIA first: seeded on first sight
 * as a draft due for review a year on, for the workspace's DPO to sign off.
 */
export async function listAssessments(
  deps: GovernanceDeps,
  workspaceId: string,
  options: { overdueOnly?: boolean } = {},
): Promise<Assessment[]> {
  await seedPlatformDpia(deps, workspaceId)
  const now = deps.clock.now()
  return (await selectDpias(deps.db, workspaceId))
    .map((row) => viewOf(row, now))
    .filter((assessment) => !options.overdueOnly || assessment.overdue)
}

export async function getAssessment(
  deps: GovernanceDeps,
  workspaceId: string,
  id: string,
): Promise<Assessment> {
  await seedPlatformDpia(deps, workspaceId)
  const row = await selectDpia(deps.db, workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such DPIA')
  return viewOf(row, deps.clock.now())
}

export async function createAssessment(
  deps: GovernanceDeps,
  caller: DpiaCaller,
  fields: AssessmentFields,
  context: RequestContext = {},
): Promise<Assessment> {
  const now = deps.clock.now().toISOString()
  const row: DpiasTable = {
    id: newId(deps.clock.now()),
    workspace_id: caller.workspaceId,
    seed_key: null,
    fields: JSON.stringify(checked(fields)),
    status: 'draft',
    sign_off: null,
    review_due_on: fields.reviewDueOn,
    reminded_at: null,
    created_at: now,
    updated_at: now,
  }
  await insertDpia(deps.db, row)
  await audited(deps, caller, 'dpia.created', row.id, { seeded: false }, context)
  return viewOf(row, deps.clock.now())
}

/**
 * Replaces the fields a change names. A signed-off DPIA that changes is a draft again:
 * the DPO signed what it said, not what it says now.
 */
export async function changeAssessment(
  deps: GovernanceDeps,
  caller: DpiaCaller,
  id: string,
  change: Partial<AssessmentFields>,
  context: RequestContext = {},
): Promise<Assessment> {
  const current = await getAssessmentRow(deps, caller.workspaceId, id)
  const fields = checked({ ...fieldsOf(current), ...change })
  const reopened = current.status === 'signed-off'
  const changes = {
    fields: JSON.stringify(fields),
    review_due_on: fields.reviewDueOn,
    status: 'draft' as const,
    sign_off: null,
    updated_at: deps.clock.now().toISOString(),
  }
  await updateDpia(deps.db, caller.workspaceId, id, changes)
  await audited(
    deps,
    caller,
    'dpia.changed',
    id,
    { fields: Object.keys(change).join(','), reopened },
    context,
  )
  return viewOf({ ...current, ...changes }, deps.clock.now())
}

/** The DPO's sign-off (Art. 35(2)) with their opinion and the next review date. */
export async function signOffAssessment(
  deps: GovernanceDeps,
  caller: DpiaCaller,
  id: string,
  input: { opinion: string; nextReviewOn: string },
  context: RequestContext = {},
): Promise<Assessment> {
  // Another workspace's DPIA is not found, whoever asks: the role is checked after.
  const current = await getAssessmentRow(deps, caller.workspaceId, id)
  if (!caller.isDpo) {
    throw new AppError('forbidden', 'Only the data protection officer signs a DPIA off')
  }
  const now = deps.clock.now()
  if (input.nextReviewOn <= now.toISOString().slice(0, 10)) {
    throw new AppError('invalid_request', 'The next review must be a day after today')
  }
  const fields = { ...fieldsOf(current), reviewDueOn: input.nextReviewOn }
  const changes = {
    fields: JSON.stringify(fields),
    review_due_on: input.nextReviewOn,
    status: 'signed-off' as const,
    sign_off: JSON.stringify({
      opinion: input.opinion,
      signedAt: now.toISOString(),
      signedBy: caller.actor.actorId ?? caller.actor.actorType,
    }),
    reminded_at: null,
    updated_at: now.toISOString(),
  }
  await updateDpia(deps.db, caller.workspaceId, id, changes)
  await audited(deps, caller, 'dpia.signed_off', id, { reviewDueOn: input.nextReviewOn }, context)
  return viewOf({ ...current, ...changes }, now)
}

/** Every risk of every DPIA, highest residual score first: the risk register. */
export async function riskRegister(
  deps: GovernanceDeps,
  workspaceId: string,
): Promise<RiskRegisterEntry[]> {
  return (await listAssessments(deps, workspaceId))
    .flatMap((assessment) =>
      assessment.risks.map((risk) => ({
        assessmentId: assessment.id,
        assessment: assessment.title,
        ...risk,
      })),
    )
    .sort((a, b) => b.residualScore - a.residualScore || b.score - a.score)
}

/** The DPIAs as the records of processing link to them. */
export async function assessmentSummaries(
  deps: GovernanceDeps,
  workspaceId: string,
): Promise<AssessmentSummary[]> {
  return (await listAssessments(deps, workspaceId)).map((assessment) => ({
    id: assessment.id,
    title: assessment.title,
    status: assessment.overdue ? `${assessment.status}, review overdue` : assessment.status,
    reviewDueOn: assessment.reviewDueOn,
    categories: assessment.categories,
  }))
}

async function seedPlatformDpia(deps: GovernanceDeps, workspaceId: string): Promise<void> {
  if (await hasSeed(deps.db, workspaceId, platformSeed)) return
  const now = deps.clock.now()
  const fields: AssessmentFields = { ...loadCustodianDpia(), reviewDueOn: aYearFrom(now) }
  const row: DpiasTable = {
    id: newId(now),
    workspace_id: workspaceId,
    seed_key: platformSeed,
    fields: JSON.stringify(checked(fields)),
    status: 'draft',
    sign_off: null,
    review_due_on: fields.reviewDueOn,
    reminded_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  }
  await insertSeedUnlessPresent(deps.db, row)
  if (await isOwnSeed(deps, workspaceId, row.id)) {
    await deps.audit.record({
      workspaceId,
      actor: { actorType: 'system', actorId: null },
      action: 'dpia.created',
      outcome: 'succeeded',
      resource: { type: 'dpia', id: row.id },
      details: { seeded: true },
    })
  }
}

async function isOwnSeed(deps: GovernanceDeps, workspaceId: string, id: string): Promise<boolean> {
  return (await selectDpia(deps.db, workspaceId, id)) !== undefined
}

async function getAssessmentRow(
  deps: GovernanceDeps,
  workspaceId: string,
  id: string,
): Promise<DpiasTable> {
  await seedPlatformDpia(deps, workspaceId)
  const row = await selectDpia(deps.db, workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such DPIA')
  return row
}

function checked(candidate: unknown): AssessmentFields {
  if (!Value.Check(AssessmentFieldsSchema, candidate)) {
    throw new AppError('invalid_request', 'The DPIA is not valid')
  }
  return candidate
}

function fieldsOf(row: DpiasTable): AssessmentFields {
  const parsed: unknown = JSON.parse(row.fields)
  if (!Value.Check(AssessmentFieldsSchema, parsed)) {
    throw new Error(`Stored DPIA ${row.id} does not match the schema`)
  }
  return parsed
}

function viewOf(row: DpiasTable, now: Date): Assessment {
  const fields = fieldsOf(row)
  const signOff =
    row.sign_off === null
      ? null
      : (JSON.parse(row.sign_off) as { opinion: string; signedAt: string; signedBy: string })
  return {
    id: row.id,
    ...fields,
    risks: fields.risks.map(scored),
    status: row.status,
    signOff,
    overdue: isOverdue(row.review_due_on, now),
    seeded: row.seed_key !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

async function audited(
  deps: GovernanceDeps,
  caller: DpiaCaller,
  action: 'dpia.created' | 'dpia.changed' | 'dpia.signed_off',
  id: string,
  details: Record<string, string | boolean>,
  context: RequestContext,
): Promise<void> {
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action,
    outcome: 'succeeded',
    resource: { type: 'dpia', id },
    details,
    ...context,
  })
}
