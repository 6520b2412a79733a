import { Value } from 'typebox/value'
import { AppError } from '../errors.js'
import type { Actor, RequestContext } from '../identity/index.js'
import { newId } from '../ids.js'
import { subprocessorDefaults } from './subprocessor-defaults.js'
import {
  countSeeds,
  insertSeedUnlessPresent,
  insertSubprocessor,
  selectVisible,
  selectVisibleById,
  updateFields,
} from './subprocessors.repository.js'
import {
  type NewSubprocessor,
  type Subprocessor,
  type SubprocessorChange,
  type SubprocessorFields,
  SubprocessorFieldsSchema,
} from './subprocessors.schemas.js'
import type { SubprocessorsTable } from './subprocessors.table.js'
import { decideTransfer, refusalReasons, type TransferDecision } from './transfer-guard.logic.js'
import type { TransferDeps } from './transfers.deps.js'

/** Who changes the registry: a workspace's operator or key, or the platform admin (null). */
export interface RegistryCaller {
  /** Null: the platform admin at the terminal, who keeps the instance's own entries. */
  readonly workspaceId: string | null
  readonly actor: Actor
}

/** A registry entry with what the guard would answer for it today. */
export interface SubprocessorView extends Subprocessor {
  readonly transferCheck: {
    readonly allowed: boolean
    readonly ground: string | null
    readonly refusal: string | null
    readonly explanation: string
  }
}

/**
 * The workspace's sub-processors and the instance's, the workspace's defaults seeded on
 * first sight (editable from then on, never seeded again), each with the guard's answer.
 */
export async function listSubprocessors(
  deps: TransferDeps,
  workspaceId: string | null,
): Promise<SubprocessorView[]> {
  if (workspaceId !== null) await seedDefaults(deps, workspaceId)
  return (await selectVisible(deps.db, workspaceId)).map((row) => viewOf(deps, row))
}

export async function getSubprocessor(
  deps: TransferDeps,
  workspaceId: string | null,
  id: string,
): Promise<SubprocessorView> {
  if (workspaceId !== null) await seedDefaults(deps, workspaceId)
  const row = await selectVisibleById(deps.db, workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such sub-processor')
  return viewOf(deps, row)
}

export async function registerSubprocessor(
  deps: TransferDeps,
  caller: RegistryCaller,
  input: NewSubprocessor,
  context: RequestContext = {},
): Promise<SubprocessorView> {
  const fields = checkedFields({
    purposes: [],
    region: '',
    endpoints: [],
    dpa: null,
    transferImpactAssessment: null,
    supplementaryMeasures: [],
    status: 'active',
    ...input,
  })
  const now = deps.clock.now().toISOString()
  const row: SubprocessorsTable = {
    id: newId(deps.clock.now()),
    workspace_id: caller.workspaceId,
    seed_key: null,
    fields: JSON.stringify(fields),
    created_at: now,
    updated_at: now,
  }
  await insertSubprocessor(deps.db, row)
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'subprocessor.registered',
    outcome: 'succeeded',
    resource: { type: 'subprocessor', id: row.id },
    details: {
      scope: scopeOf(row),
      country: fields.country,
      mechanism: fields.transferMechanism.type,
    },
    ...context,
  })
  return viewOf(deps, row)
}

/**
 * Replaces the fields a change names. A workspace changes its own entries only; the
 * instance's belong to the platform admin, who changes them with `custodian subprocessors`.
 */
export async function changeSubprocessor(
  deps: TransferDeps,
  caller: RegistryCaller,
  id: string,
  change: SubprocessorChange,
  context: RequestContext = {},
): Promise<SubprocessorView> {
  if (caller.workspaceId !== null) await seedDefaults(deps, caller.workspaceId)
  const row = await selectVisibleById(deps.db, caller.workspaceId, id)
  if (row === undefined) throw new AppError('not_found', 'No such sub-processor')
  if (row.workspace_id !== caller.workspaceId) {
    throw new AppError(
      'forbidden',
      "The instance's own sub-processors are kept by the platform admin (custodian subprocessors set)",
    )
  }
  const fields = checkedFields({ ...fieldsOf(row), ...change })
  const updatedAt = deps.clock.now().toISOString()
  await updateFields(deps.db, row.id, JSON.stringify(fields), updatedAt)
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action: 'subprocessor.changed',
    outcome: 'succeeded',
    resource: { type: 'subprocessor', id: row.id },
    details: { scope: scopeOf(row), fields: Object.keys(change).join(',') },
    ...context,
  })
  return viewOf(deps, { ...row, fields: JSON.stringify(fields), updated_at: updatedAt })
}

/** Every entry the guard may match for a transfer of this workspace (or of the instance). */
export async function registeredRecipients(
  deps: TransferDeps,
  workspaceId: string | null,
): Promise<{ id: string; fields: SubprocessorFields; scope: 'instance' | 'workspace' }[]> {
  if (workspaceId !== null) await seedDefaults(deps, workspaceId)
  const rows = await selectVisible(deps.db, workspaceId)
  // The workspace's own entry comes before the instance's for the same recipient.
  return rows
    .map((row) => ({ id: row.id, fields: fieldsOf(row), scope: scopeOf(row) }))
    .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'workspace' ? -1 : 1))
}

async function seedDefaults(deps: TransferDeps, workspaceId: string): Promise<void> {
  if ((await countSeeds(deps.db, workspaceId)) >= subprocessorDefaults.length) return
  const now = deps.clock.now()
  for (const seed of subprocessorDefaults) {
    await insertSeedUnlessPresent(deps.db, {
      id: newId(now),
      workspace_id: workspaceId,
      seed_key: seed.seedKey,
      fields: JSON.stringify(seed.fields),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
  }
}

function checkedFields(candidate: unknown): SubprocessorFields {
  if (!Value.Check(SubprocessorFieldsSchema, candidate)) {
    throw new AppError('invalid_request', 'The sub-processor entry is not valid')
  }
  return candidate
}

function fieldsOf(row: SubprocessorsTable): SubprocessorFields {
  const parsed: unknown = JSON.parse(row.fields)
  if (!Value.Check(SubprocessorFieldsSchema, parsed)) {
    throw new Error(`Stored sub-processor ${row.id} does not match the registry's schema`)
  }
  return parsed
}

function scopeOf(row: SubprocessorsTable): 'instance' | 'workspace' {
  return row.workspace_id === null ? 'instance' : 'workspace'
}

function viewOf(deps: TransferDeps, row: SubprocessorsTable): SubprocessorView {
  const fields = fieldsOf(row)
  // Any category it is registered for, on a path other than storage and backups.
  const decision = decideTransfer({
    recipient: fields,
    kind: 'enrichment',
    categories: [],
    at: deps.clock.now(),
    instanceRegion: deps.instanceRegion,
  })
  return {
    id: row.id,
    scope: scopeOf(row),
    ...fields,
    seeded: row.seed_key !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    transferCheck: checkOf(decision),
  }
}

function checkOf(decision: TransferDecision): SubprocessorView['transferCheck'] {
  if (decision.allowed) {
    return {
      allowed: true,
      ground: decision.ground,
      refusal: null,
      explanation: decision.decision ?? `Allowed on the ground: ${decision.ground}`,
    }
  }
  return {
    allowed: false,
    ground: null,
    refusal: decision.reason,
    explanation: refusalReasons[decision.reason],
  }
}
