import { AppError } from '../errors.js'
import { inWriteTransaction } from '../storage/index.js'
import { type CreatedApiKey, createApiKey } from './api-keys.js'
import type { IdentityAuditAction } from './identity.audit.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { policyOf } from './identity.deps.js'
import type { ApiKeyKind, OperatorsTable } from './identity.table.js'
import {
  deleteRecoveryCodes,
  findOperatorByEmailIndex,
  insertOperatorToken,
  revokeOperatorSessions,
  updateOperator,
  voidOperatorTokens,
} from './operators.repository.js'
import { type OperatorView, openOperator } from './operators.service.js'
import type { Actor } from './principal.js'
import { hashSecret, randomToken } from './secrets.js'

/**
 * The way back in, for the platform admin on the host (`custodian operator
 * invite-again`, `operator reset-2fa`, `keys create`): a workspace whose owner lost a
 * setup link, a password or a second factor, or whose server lost its key, would
 * otherwise be shut out of its own data for good. Each step is audited under the
 * actor given (the CLI's is `system`), with the operator as the entry's subject.
 */

export interface RecoveryInput {
  workspaceId: string
  email: string
  actor: Actor
}

export interface ReissuedSetupLink {
  operator: OperatorView
  setupToken: string
  setupUrl: string
  expiresAt: string
  /** Earlier links that still worked and now do not. */
  voidedLinks: number
}

export interface TwoFactorReset {
  operator: OperatorView
  /** Whether TOTP was on before; off or half-enrolled, the reset still clears everything. */
  twoFactorWasOn: boolean
  recoveryCodesDeleted: number
  sessionsEnded: number
}

/**
 * A new one-time setup link (valid `setupLinkHours`) for an operator who already
 * exists, and every earlier link void. It serves an operator whose invitation expired
 * and one who lost their password alike: completing it sets a new password, ends
 * their sessions and lifts a lockout (see `completeSetup`). Until then an old password
 * still works, so an admin's mistake here locks nobody out.
 */
export async function reissueSetupLink(
  deps: IdentityDeps,
  input: RecoveryInput,
  context: RequestContext = {},
): Promise<ReissuedSetupLink> {
  const row = await recoverableOperator(deps, input)
  const now = deps.clock.now()
  const setupToken = randomToken(32)
  const expiresAt = new Date(
    now.getTime() + policyOf(deps).setupLinkHours * 3_600_000,
  ).toISOString()
  const voidedLinks = await inWriteTransaction(deps.db, async (trx) => {
    // The operator row is written first: on PostgreSQL that locks it, so two reissues
    // at once run one after the other and only the later link survives.
    await updateOperator(trx, row.workspace_id, row.id, { updated_at: now.toISOString() })
    const voided = await voidOperatorTokens(trx, row.workspace_id, row.id, now.toISOString())
    await insertOperatorToken(trx, {
      token_hash: hashSecret(setupToken),
      operator_id: row.id,
      workspace_id: row.workspace_id,
      purpose: 'setup',
      expires_at: expiresAt,
      used_at: null,
      created_at: now.toISOString(),
    })
    return voided
  })
  await recordRecovery(deps, input.actor, row, 'operator.setup_link_reissued', context, {
    voidedLinks,
    passwordSet: row.password_hash !== null,
  })
  const setupUrl = `${deps.publicUrl().replace(/\/$/, '')}/setup#token=${setupToken}`
  return { operator: await openOperator(deps, row), setupToken, setupUrl, expiresAt, voidedLinks }
}

/**
 * Turns an operator's TOTP off, deletes their recovery codes and ends their sessions,
 * for one who lost their second factor. Owners, admins and DPOs then reach nothing but
 * enrolment until they turn 2FA on again (see `checkPermission`), so the next sign-in
 * makes them enrol; an agent, for whom 2FA is optional, may enrol again when they wish.
 */
export async function resetTwoFactor(
  deps: IdentityDeps,
  input: RecoveryInput,
  context: RequestContext = {},
): Promise<TwoFactorReset> {
  const row = await recoverableOperator(deps, input)
  const nowIso = deps.clock.now().toISOString()
  const { recoveryCodesDeleted, sessionsEnded } = await inWriteTransaction(deps.db, async (trx) => {
    await updateOperator(trx, row.workspace_id, row.id, {
      totp_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      updated_at: nowIso,
    })
    return {
      recoveryCodesDeleted: await deleteRecoveryCodes(trx, row.workspace_id, row.id),
      sessionsEnded: await revokeOperatorSessions(trx, row.workspace_id, row.id, nowIso),
    }
  })
  const twoFactorWasOn = row.totp_enabled_at !== null
  await recordRecovery(deps, input.actor, row, 'auth.two_factor_reset', context, {
    twoFactorWasOn,
    recoveryCodesDeleted,
    sessionsEnded,
  })
  const operator = await openOperator(deps, {
    ...row,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
  })
  return { operator, twoFactorWasOn, recoveryCodesDeleted, sessionsEnded }
}

/**
 * A new API key for a workspace, made the way `POST /v1/api-keys` makes one (shown
 * once, stored as a hash, audited as `api_key.created`), for a workspace whose keys
 * were lost or leaked and whose operators cannot sign in.
 */
export async function issueApiKey(
  deps: Pick<IdentityDeps, 'db' | 'audit' | 'clock' | 'workspaces'>,
  input: { workspaceId: string; kind: ApiKeyKind; label: string; actor: Actor },
  context: RequestContext = {},
): Promise<CreatedApiKey> {
  const label = input.label.trim()
  if (label.length === 0 || label.length > 100) {
    throw new AppError('invalid_request', 'A key name has 1 to 100 characters')
  }
  if ((await deps.workspaces.find(input.workspaceId)) === undefined) {
    throw new AppError('not_found', 'No such workspace')
  }
  return createApiKey(deps, { ...input, label }, context)
}

/** The operator to recover: in that workspace, and not disabled by it. */
async function recoverableOperator(
  deps: IdentityDeps,
  input: RecoveryInput,
): Promise<OperatorsTable> {
  if ((await deps.workspaces.find(input.workspaceId)) === undefined) {
    throw new AppError('not_found', 'No such workspace')
  }
  const emailIndex = await deps.keyring.blindIndex(input.workspaceId, 'email', input.email)
  const row = await findOperatorByEmailIndex(deps.db, input.workspaceId, emailIndex)
  // The message names neither the address nor who else is in the workspace.
  if (row === undefined)
    throw new AppError('not_found', 'No operator in this workspace has this email')
  // Disabling is the workspace's own decision (it acts as controller, Art. 24 and 32;
  // the platform as its processor, Art. 28(3)(a)): recovery does not quietly undo it.
  if (row.disabled_at !== null) {
    throw new AppError(
      'conflict',
      `Operator ${row.id} was disabled by the workspace; recovery does not re-enable an account`,
    )
  }
  return row
}

async function recordRecovery(
  deps: Pick<IdentityDeps, 'audit'>,
  actor: Actor,
  row: OperatorsTable,
  action: IdentityAuditAction,
  context: RequestContext,
  details: Record<string, number | boolean>,
): Promise<void> {
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor,
    action,
    outcome: 'succeeded',
    resource: { type: 'operator', id: row.id },
    subjectId: row.id,
    details,
    ...context,
  })
}
