import type { RequestContext } from '../identity/index.js'
import type { Actor } from '../identity/index.js'
import { AppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { inWriteTransaction } from '../storage/index.js'
import { selectPurpose, selectPurposes, upsertPurpose } from './catalogue.repository.js'
import type { ConsentDeps } from './consent.deps.js'
import { lawfulBasisArticle, type LawfulBasis } from './consent.logic.js'
import { catalogueOf, type Purpose, purposeToRow, resolvePurpose } from './purposes.logic.js'

export interface PurposeFields {
  lawfulBasis: LawfulBasis
  description: string
  dataCategories?: string[]
  directMarketing?: boolean
  automatedDecisions?: boolean
}

export type PurposePatch = Partial<PurposeFields>

export async function listPurposes(db: Database, workspaceId: string): Promise<Purpose[]> {
  return catalogueOf(await selectPurposes(db, workspaceId))
}

/** The purpose of that name in the workspace's catalogue, built-in or its own. */
export async function findPurpose(
  db: Database,
  workspaceId: string,
  name: string,
): Promise<Purpose | undefined> {
  return resolvePurpose(name, await selectPurpose(db, workspaceId, name))
}

export async function createPurpose(
  deps: ConsentDeps,
  input: { workspaceId: string; name: string; actor: Actor } & PurposeFields,
  context: RequestContext = {},
): Promise<Purpose> {
  const at = deps.clock.now().toISOString()
  const purpose: Purpose = {
    name: input.name,
    lawfulBasis: input.lawfulBasis,
    description: input.description.trim(),
    dataCategories: [...new Set(input.dataCategories ?? [])],
    directMarketing: input.directMarketing ?? false,
    automatedDecisions: input.automatedDecisions ?? false,
    minPolicySeq: 0,
    builtIn: false,
    updatedAt: at,
  }
  checkDescription(purpose.description)
  await inWriteTransaction(deps.db, async (trx) => {
    if ((await findPurpose(trx, input.workspaceId, input.name)) !== undefined) {
      throw new AppError(
        'conflict',
        `The purpose ${input.name} already exists; change it with PATCH`,
      )
    }
    await upsertPurpose(trx, purposeToRow(input.workspaceId, purpose, at, at))
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'consent.purpose_created',
    resource: { type: 'consent_purpose', id: purpose.name },
    outcome: 'succeeded',
    details: { lawfulBasis: purpose.lawfulBasis },
    ...context,
  })
  return purpose
}

/**
 * Changes a purpose. A change of lawful basis is its own audit event with both bases:
 * the basis decides whether processing waits for consent, and moving a purpose off
 * consent after the fact is something a supervisory authority will ask about.
 */
export async function changePurpose(
  deps: ConsentDeps,
  input: { workspaceId: string; name: string; patch: PurposePatch; actor: Actor },
  context: RequestContext = {},
): Promise<Purpose> {
  const at = deps.clock.now().toISOString()
  const { before, after } = await inWriteTransaction(deps.db, async (trx) => {
    const stored = await selectPurpose(trx, input.workspaceId, input.name)
    const current = resolvePurpose(input.name, stored)
    if (current === undefined) throw new AppError('not_found', `No purpose ${input.name}`)
    const changed = applyPatch(current, input.patch, at)
    await upsertPurpose(trx, purposeToRow(input.workspaceId, changed, stored?.created_at ?? at, at))
    return { before: current, after: changed }
  })
  const fields = Object.keys(input.patch).sort()
  const basisChanged = before.lawfulBasis !== after.lawfulBasis
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: basisChanged ? 'consent.basis_changed' : 'consent.purpose_changed',
    resource: { type: 'consent_purpose', id: after.name },
    outcome: 'succeeded',
    details: {
      fields,
      ...(basisChanged
        ? {
            from: before.lawfulBasis,
            to: after.lawfulBasis,
            article: lawfulBasisArticle[after.lawfulBasis],
          }
        : {}),
    },
    ...context,
  })
  return after
}

function applyPatch(current: Purpose, patch: PurposePatch, at: string): Purpose {
  const description = patch.description?.trim() ?? current.description
  checkDescription(description)
  return {
    ...current,
    lawfulBasis: patch.lawfulBasis ?? current.lawfulBasis,
    description,
    dataCategories:
      patch.dataCategories === undefined
        ? current.dataCategories
        : [...new Set(patch.dataCategories)],
    directMarketing: patch.directMarketing ?? current.directMarketing,
    automatedDecisions: patch.automatedDecisions ?? current.automatedDecisions,
    updatedAt: at,
  }
}

function checkDescription(description: string): void {
  if (description.length === 0) {
    throw new AppError('invalid_request', 'A purpose needs a description end-users can read', {
      errors: [{ in: 'body', field: 'description', message: 'must not be blank' }],
    })
  }
}
