import type { Database } from '../storage/index.js'
import { findOperator } from './operators.repository.js'

/**
 * Whether `operatorId` names an operator of this workspace who may still sign in: what
 * another module checks before it hands work (and the personal data that comes with it)
 * to a member of staff. A disabled account, or an operator of another workspace, is not
 * one: handing them a conversation would give its person's data to nobody accountable
 * (Art. 32(4): only those acting under the controller's instructions process it).
 */
export async function isActiveOperator(
  db: Database,
  workspaceId: string,
  operatorId: string,
): Promise<boolean> {
  const operator = await findOperator(db, workspaceId, operatorId)
  return operator !== undefined && operator.disabled_at === null
}
