import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import type { RequestSubject } from './request-envelope.js'
import type { RightsDeps } from './rights.deps.js'
import { insertHold, liftHoldRow, listHoldRows } from './rights.repository.js'
import { actorLabel, type RightsCaller, type RightsContext } from './rights.service.js'
import type { RightsLegalHoldsTable } from './rights.table.js'

/** The Art. 17(3) grounds a hold may rest on. */
export const holdBases = ['art-17-3-b', 'art-17-3-e'] as const
export type HoldBasis = (typeof holdBases)[number]

export interface HoldView {
  id: string
  basis: HoldBasis
  createdAt: string
  createdBy: string
  liftedAt: string | null
}

const holdCell = (workspaceId: string, holdId: string) =>
  ({
    workspaceId,
    subjectId: holdId,
    table: 'rights_legal_holds',
    column: 'sealed',
    rowId: holdId,
  }) as const

/**
 * A legal hold: while it stands, an erasure request for the person is refused with its
 * basis (a legal obligation to keep records, Art. 17(3)(b), or pending legal claims,
 * 17(3)(e)). The person is named by a blind index; the reason is sealed.
 */
export async function placeHold(
  deps: RightsDeps,
  caller: RightsCaller,
  input: { subject: RequestSubject; basis: HoldBasis; reason: string },
  context: RightsContext = {},
): Promise<HoldView> {
  const indexer = await deps.keyring.indexerFor(caller.workspaceId)
  const [kind, value] =
    'email' in input.subject
      ? (['email', input.subject.email] as const)
      : (['external_id', input.subject.externalId] as const)
  const now = deps.clock.now()
  const id = newId(now)
  const row: RightsLegalHoldsTable = await inWriteTransaction(deps.db, async (trx) => {
    const hold: RightsLegalHoldsTable = {
      id,
      workspace_id: caller.workspaceId,
      subject_kind: kind,
      subject_index: indexer.index(kind, value),
      basis: input.basis,
      sealed: await deps.keyring.sealJson(
        holdCell(caller.workspaceId, id),
        { subject: input.subject, reason: input.reason },
        { db: trx },
      ),
      created_by: actorLabel(caller),
      created_at: now.toISOString(),
      lifted_at: null,
    }
    await insertHold(trx, hold)
    return hold
  })
  await auditHold(deps, caller, context, 'rights.hold_placed', id, input.basis)
  return holdView(row)
}

export async function listHolds(
  deps: Pick<RightsDeps, 'db'>,
  workspaceId: string,
  includeLifted: boolean,
): Promise<HoldView[]> {
  return (await listHoldRows(deps.db, workspaceId, includeLifted)).map(holdView)
}

export async function liftHold(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  context: RightsContext = {},
): Promise<void> {
  const lifted = await liftHoldRow(deps.db, caller.workspaceId, id, deps.clock.now().toISOString())
  if (!lifted) throw new AppError('not_found', 'No such hold in force')
  await auditHold(deps, caller, context, 'rights.hold_lifted', id, null)
}

async function auditHold(
  deps: Pick<RightsDeps, 'audit'>,
  caller: RightsCaller,
  context: RightsContext,
  action: 'rights.hold_placed' | 'rights.hold_lifted',
  id: string,
  basis: HoldBasis | null,
): Promise<void> {
  await deps.audit.record({
    workspaceId: caller.workspaceId,
    actor: caller.actor,
    action,
    resource: { type: 'legal_hold', id },
    purpose: 'dsar',
    outcome: 'succeeded',
    requestId: context.requestId ?? null,
    ip: context.ip ?? null,
    details: { basis },
  })
}

function holdView(row: RightsLegalHoldsTable): HoldView {
  return {
    id: row.id,
    basis: row.basis as HoldBasis,
    createdAt: row.created_at,
    createdBy: row.created_by,
    liftedAt: row.lifted_at,
  }
}
