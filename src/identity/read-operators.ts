import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { getOperator, listOperators, type OperatorView } from './operators.service.js'
import type { Actor } from './principal.js'

/**
 * Operators' accounts read by another operator or a key: personal data of the staff,
 * so each read is audited here, in the service, as the console, the API and the CLI
 * all read through it.
 */
export async function readOperators(
  deps: IdentityDeps,
  who: { workspaceId: string; actor: Actor },
  context: RequestContext = {},
): Promise<OperatorView[]> {
  const operators = await listOperators(deps, who.workspaceId)
  await deps.audit.record({
    workspaceId: who.workspaceId,
    actor: who.actor,
    action: 'operator.listed',
    outcome: 'succeeded',
    resource: { type: 'operator' },
    details: { count: operators.length },
    ...context,
  })
  return operators
}

export async function readOperator(
  deps: IdentityDeps,
  who: { workspaceId: string; actor: Actor },
  operatorId: string,
  context: RequestContext = {},
): Promise<OperatorView> {
  const operator = await getOperator(deps, who.workspaceId, operatorId)
  await deps.audit.record({
    workspaceId: who.workspaceId,
    actor: who.actor,
    action: 'operator.read',
    outcome: 'succeeded',
    resource: { type: 'operator', id: operator.id },
    subjectId: operator.id,
    ...context,
  })
  return operator
}
