import { emailAsTyped } from '../email/index.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import type { IdentityAuditAction } from './identity.audit.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { policyOf } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import {
  consumeOperatorToken,
  findOperator,
  findOperatorByEmailIndex,
  insertOperator,
  insertOperatorToken,
  listOperatorRows,
  revokeOperatorSessions,
  updateOperator,
} from './operators.repository.js'
import { checkPasswordStrength, hashPassword } from './passwords.js'
import type { Role } from './permissions.js'
import type { Actor } from './principal.js'
import { hashSecret, randomToken } from './secrets.js'
import { accountKeyFor, clearAccountFailures } from './sign-in-attempts.js'

/** An operator as the API shows it: account data opened, secrets never. */
export interface OperatorView {
  id: string
  workspaceId: string
  email: string
  firstName: string | null
  lastName: string | null
  pictureUrl: string | null
  role: Role
  twoFactorEnabled: boolean
  passwordSet: boolean
  createdAt: string
  disabledAt: string | null
}

export interface OperatorProfileInput {
  firstName?: string | null
  lastName?: string | null
  pictureUrl?: string | null
}

// Operator account data is personal data (the seed: "first and last name, email, and
// profile picture"): sealed under the operator's own subject key, so erasing an
// operator is shredding one key.
const table = 'operators'
const sealedProfileColumns = ['first_name', 'last_name', 'picture_url'] as const
const profileFields = {
  first_name: 'firstName',
  last_name: 'lastName',
  picture_url: 'pictureUrl',
} as const

export async function createOperator(
  deps: IdentityDeps,
  input: { workspaceId: string; email: string; role: Role; actor: Actor } & OperatorProfileInput,
  context: RequestContext = {},
): Promise<{ operator: OperatorView; setupToken: string; setupUrl: string; expiresAt: string }> {
  if ((await deps.workspaces.find(input.workspaceId)) === undefined) {
    throw new AppError('not_found', 'No such workspace')
  }
  const emailIndex = await deps.keyring.blindIndex(input.workspaceId, 'email', input.email)
  const emailLookup = await deps.keyring.instanceBlindIndex('email', input.email)
  if (await findOperatorByEmailIndex(deps.db, input.workspaceId, emailIndex)) {
    throw new AppError('conflict', 'An operator with this email already exists in the workspace')
  }
  const now = deps.clock.now()
  const id = newId(now)
  const sealer = await deps.keyring.sealerFor(input.workspaceId, id)
  const seal = (column: string, value: string | null | undefined) =>
    value ? sealer.seal({ table, column, rowId: id }, value) : null
  const row: OperatorsTable = {
    id,
    workspace_id: input.workspaceId,
    email_index: emailIndex,
    email_lookup: emailLookup,
    email: sealer.seal({ table, column: 'email', rowId: id }, emailAsTyped(input.email)),
    first_name: seal('first_name', input.firstName),
    last_name: seal('last_name', input.lastName),
    picture_url: seal('picture_url', input.pictureUrl),
    role: input.role,
    password_hash: null,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    disabled_at: null,
  }
  const setupToken = randomToken(32)
  const expiresAt = new Date(
    now.getTime() + policyOf(deps).setupLinkHours * 3_600_000,
  ).toISOString()
  await insertOperator(deps.db, row)
  await insertOperatorToken(deps.db, {
    token_hash: hashSecret(setupToken),
    operator_id: id,
    workspace_id: input.workspaceId,
    purpose: 'setup',
    expires_at: expiresAt,
    used_at: null,
    created_at: now.toISOString(),
  })
  await recordOperatorEvent(
    deps,
    { workspaceId: input.workspaceId, actor: input.actor, operatorId: id },
    'operator.created',
    context,
    { role: input.role },
  )
  const setupUrl = `${deps.publicUrl().replace(/\/$/, '')}/setup#token=${setupToken}`
  return { operator: await openOperator(deps, row), setupToken, setupUrl, expiresAt }
}

/** Sets the password of an invited operator through their one-time setup token. */
export async function completeSetup(
  deps: IdentityDeps,
  input: { token: string; password: string },
  context: RequestContext = {},
): Promise<OperatorView> {
  const weakness = checkPasswordStrength(input.password)
  if (weakness) {
    throw new AppError('invalid_request', `The password ${weakness}`, {
      errors: [{ in: 'body', field: 'password', message: weakness }],
    })
  }
  const nowIso = deps.clock.now().toISOString()
  const token = await consumeOperatorToken(deps.db, hashSecret(input.token), nowIso)
  if (token === undefined)
    throw new AppError('not_found', 'This setup link is unknown, used or expired')
  const passwordHash = await hashPassword(input.password, deps.passwordCost, deps.hashSlots)
  const before = await findOperator(deps.db, token.workspace_id, token.operator_id)
  // A link reissued to an operator who lost their password replaces it: whoever held
  // the old one is signed out everywhere (the lockout it earned is lifted below).
  const sessionsEnded = await inWriteTransaction(deps.db, async (trx) => {
    await updateOperator(trx, token.workspace_id, token.operator_id, {
      password_hash: passwordHash,
      updated_at: nowIso,
    })
    return revokeOperatorSessions(trx, token.workspace_id, token.operator_id, nowIso)
  })
  await recordOperatorEvent(
    deps,
    {
      workspaceId: token.workspace_id,
      actor: { actorType: 'operator', actorId: token.operator_id },
      operatorId: token.operator_id,
    },
    before?.password_hash ? 'auth.password_reset' : 'auth.password_set',
    context,
    { sessionsEnded: String(sessionsEnded) },
  )
  const operator = await getOperator(deps, token.workspace_id, token.operator_id)
  await indexEmailAcrossWorkspaces(deps, operator)
  const emailLookup = await deps.keyring.instanceBlindIndex('email', operator.email)
  await clearAccountFailures(deps.db, accountKeyFor(emailLookup))
  return operator
}

/**
 * An operator invited before `email_lookup` existed gets it when they set their
 * password, from the email just opened for the answer: they can then sign in by email
 * alone like everyone invited since.
 */
async function indexEmailAcrossWorkspaces(
  deps: IdentityDeps,
  operator: OperatorView,
): Promise<void> {
  await deps.db
    .updateTable('operators')
    .set({ email_lookup: await deps.keyring.instanceBlindIndex('email', operator.email) })
    .where('workspace_id', '=', operator.workspaceId)
    .where('id', '=', operator.id)
    .where('email_lookup', 'is', null)
    .execute()
}

export async function getOperator(
  deps: IdentityDeps,
  workspaceId: string,
  operatorId: string,
): Promise<OperatorView> {
  const row = await findOperator(deps.db, workspaceId, operatorId)
  if (row === undefined) throw new AppError('not_found', 'No such operator')
  return openOperator(deps, row)
}

export async function listOperators(
  deps: IdentityDeps,
  workspaceId: string,
): Promise<OperatorView[]> {
  const rows = await listOperatorRows(deps.db, workspaceId)
  return Promise.all(rows.map((row) => openOperator(deps, row)))
}

export async function changeRole(
  deps: IdentityDeps,
  input: { workspaceId: string; operatorId: string; role: Role; actor: Actor },
  context: RequestContext = {},
): Promise<OperatorView> {
  const row = await findOperator(deps.db, input.workspaceId, input.operatorId)
  if (row === undefined) throw new AppError('not_found', 'No such operator')
  if (row.role === 'owner' && input.role !== 'owner') await assertAnotherOwner(deps, row)
  await updateOperator(deps.db, input.workspaceId, input.operatorId, {
    role: input.role,
    updated_at: deps.clock.now().toISOString(),
  })
  await recordOperatorEvent(
    deps,
    { workspaceId: input.workspaceId, actor: input.actor, operatorId: row.id },
    'operator.role_changed',
    context,
    { from: row.role, to: input.role },
  )
  return getOperator(deps, input.workspaceId, input.operatorId)
}

/** Disables an operator and ends all their sessions; the row stays for the audit trail. */
export async function disableOperator(
  deps: IdentityDeps,
  input: { workspaceId: string; operatorId: string; actor: Actor },
  context: RequestContext = {},
): Promise<OperatorView> {
  const row = await findOperator(deps.db, input.workspaceId, input.operatorId)
  if (row === undefined) throw new AppError('not_found', 'No such operator')
  if (row.role === 'owner') await assertAnotherOwner(deps, row)
  const nowIso = deps.clock.now().toISOString()
  await updateOperator(deps.db, input.workspaceId, input.operatorId, {
    disabled_at: nowIso,
    updated_at: nowIso,
  })
  await deps.db
    .updateTable('sessions')
    .set({ revoked_at: nowIso })
    .where('workspace_id', '=', input.workspaceId)
    .where('operator_id', '=', input.operatorId)
    .where('revoked_at', 'is', null)
    .execute()
  await recordOperatorEvent(
    deps,
    { workspaceId: input.workspaceId, actor: input.actor, operatorId: row.id },
    'operator.disabled',
    context,
  )
  return getOperator(deps, input.workspaceId, input.operatorId)
}

export async function updateProfile(
  deps: IdentityDeps,
  input: { workspaceId: string; operatorId: string; actor: Actor } & OperatorProfileInput,
  context: RequestContext = {},
): Promise<OperatorView> {
  const row = await findOperator(deps.db, input.workspaceId, input.operatorId)
  if (row === undefined) throw new AppError('not_found', 'No such operator')
  const sealer = await deps.keyring.sealerFor(input.workspaceId, row.id)
  const changes: Partial<OperatorsTable> = { updated_at: deps.clock.now().toISOString() }
  for (const column of sealedProfileColumns) {
    const value = input[profileFields[column]]
    if (value === undefined) continue
    changes[column] = value === null ? null : sealer.seal({ table, column, rowId: row.id }, value)
  }
  await updateOperator(deps.db, input.workspaceId, row.id, changes)
  await recordOperatorEvent(
    deps,
    { workspaceId: input.workspaceId, actor: input.actor, operatorId: row.id },
    'operator.profile_changed',
    context,
  )
  return getOperator(deps, input.workspaceId, row.id)
}

async function assertAnotherOwner(deps: IdentityDeps, row: OperatorsTable): Promise<void> {
  const owners = (await listOperatorRows(deps.db, row.workspace_id)).filter(
    (other) => other.role === 'owner' && other.disabled_at === null && other.id !== row.id,
  )
  if (owners.length === 0) throw new AppError('conflict', 'A workspace keeps at least one owner')
}

export async function openOperator(
  deps: Pick<IdentityDeps, 'keyring'>,
  row: OperatorsTable,
): Promise<OperatorView> {
  const sealer = await deps.keyring.sealerFor(row.workspace_id, row.id, { create: false })
  const open = (column: string, value: Buffer | null) =>
    value === null ? null : sealer.openText({ table, column, rowId: row.id }, value)
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: sealer.openText({ table, column: 'email', rowId: row.id }, row.email),
    firstName: open('first_name', row.first_name),
    lastName: open('last_name', row.last_name),
    pictureUrl: open('picture_url', row.picture_url),
    role: row.role,
    twoFactorEnabled: row.totp_enabled_at !== null,
    passwordSet: row.password_hash !== null,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  }
}

/** Every change to an operator is audited the same way: the operator is the subject. */
async function recordOperatorEvent(
  deps: Pick<IdentityDeps, 'audit'>,
  who: { workspaceId: string; actor: Actor; operatorId: string },
  action: IdentityAuditAction,
  context: RequestContext,
  details?: Record<string, string>,
): Promise<void> {
  await deps.audit.record({
    workspaceId: who.workspaceId,
    actor: who.actor,
    action,
    outcome: 'succeeded',
    resource: { type: 'operator', id: who.operatorId },
    subjectId: who.operatorId,
    ...(details ? { details } : {}),
    ...context,
  })
}
