import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { policyOf } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import {
  consumeRecoveryCode,
  findOperatorByEmailIndex,
  updateOperator,
} from './operators.repository.js'
import { type OperatorView, openOperator } from './operators.service.js'
import { hashPassword, verifyPassword } from './passwords.js'
import type { Principal } from './principal.js'
import { csrfTokenFor, hashSecret, normalizeRecoveryCode, randomToken } from './secrets.js'
import { countFailure, failuresInWindow } from './throttle.js'
import { checkTotp } from './totp.js'

export interface LoginInput {
  workspaceId: string
  email: string
  password: string
  totpCode?: string
  recoveryCode?: string
}

export interface SessionGrant {
  /** The session token for the cookie; only its hash is stored. */
  token: string
  csrfToken: string
  expiresAt: string
  operator: OperatorView
}

const wrongCredentials = 'The email or password is wrong'

// A hash to verify against when the account does not exist, so a miss takes as long
// as a hit and response times do not reveal who has an account.
let decoyHash: Promise<string> | undefined

/**
 * Signs an operator in: password, then (when enrolled) a TOTP or recovery code. Failures
 * count against the account (lockout) and against the client address (throttle), and
 * every attempt is audited.
 */
export async function login(
  deps: IdentityDeps,
  input: LoginInput,
  context: RequestContext = {},
): Promise<SessionGrant> {
  const policy = policyOf(deps)
  const now = deps.clock.now()
  const addressKey = context.ip
    ? `address:${await deps.keyring.blindIndexHex(input.workspaceId, 'ip_address', context.ip)}`
    : undefined
  if (
    addressKey &&
    (await failuresInWindow(deps.db, addressKey, now, policy.lockoutMinutes)) >=
      policy.maxFailuresPerAddress
  ) {
    throw new AppError(
      'rate_limited',
      'Too many failed sign-ins from this address; try again later',
      {
        headers: { 'retry-after': String(policy.lockoutMinutes * 60) },
      },
    )
  }
  const emailIndex = await deps.keyring.blindIndex(input.workspaceId, 'email', input.email)
  const row = await findOperatorByEmailIndex(deps.db, input.workspaceId, emailIndex)
  const fail = async (reason: string, operatorId: string | null): Promise<never> => {
    if (addressKey) await countFailure(deps.db, addressKey, now, policy.lockoutMinutes)
    await deps.audit.record({
      workspaceId: input.workspaceId,
      actor: { actorType: 'operator', actorId: operatorId },
      action: 'auth.login_failed',
      outcome: 'failed',
      ...(operatorId
        ? { resource: { type: 'operator', id: operatorId }, subjectId: operatorId }
        : {}),
      details: { reason },
      ...context,
    })
    throw new AppError('unauthorized', wrongCredentials)
  }

  if (row === undefined || row.password_hash === null || row.disabled_at !== null) {
    decoyHash ??= hashPassword('decoy password for timing', deps.passwordCost)
    await verifyPassword(input.password, await decoyHash)
    return fail(row === undefined ? 'unknown account' : 'account not usable', row?.id ?? null)
  }
  if (row.locked_until !== null && row.locked_until > now.toISOString()) {
    await fail('account locked', row.id)
  }
  if (!(await verifyPassword(input.password, row.password_hash))) {
    const failures = row.failed_logins + 1
    const locks = failures >= policy.maxFailuresPerAccount
    await updateOperator(deps.db, row.workspace_id, row.id, {
      failed_logins: locks ? 0 : failures,
      locked_until: locks
        ? new Date(now.getTime() + policy.lockoutMinutes * 60_000).toISOString()
        : row.locked_until,
    })
    if (locks) {
      await deps.audit.record({
        workspaceId: row.workspace_id,
        actor: { actorType: 'system', actorId: null },
        action: 'auth.account_locked',
        outcome: 'succeeded',
        resource: { type: 'operator', id: row.id },
        subjectId: row.id,
        ...context,
      })
    }
    return fail('wrong password', row.id)
  }
  if (row.totp_enabled_at !== null) await checkSecondFactor(deps, row, input, now, fail)

  await updateOperator(deps.db, row.workspace_id, row.id, { failed_logins: 0, locked_until: null })
  const grant = await startSession(deps, row, now)
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor: { actorType: 'operator', actorId: row.id },
    action: 'auth.login',
    outcome: 'succeeded',
    resource: { type: 'session', id: grant.sessionId },
    subjectId: row.id,
    details: { secondFactor: row.totp_enabled_at !== null },
    ...context,
  })
  return grant.session
}

async function checkSecondFactor(
  deps: IdentityDeps,
  row: OperatorsTable,
  input: LoginInput,
  now: Date,
  fail: (reason: string, operatorId: string) => Promise<never>,
): Promise<void> {
  if (input.totpCode) {
    const sealer = await deps.keyring.sealerFor(row.workspace_id, row.id, { create: false })
    if (row.totp_secret === null) return fail('no second factor secret', row.id)
    const secret = sealer.openText(
      { table: 'operators', column: 'totp_secret', rowId: row.id },
      row.totp_secret,
    )
    const result = checkTotp(secret, input.totpCode, now, row.totp_last_step)
    if (!result.ok) return fail(`second factor ${result.reason}`, row.id)
    await updateOperator(deps.db, row.workspace_id, row.id, { totp_last_step: result.step })
    return
  }
  if (input.recoveryCode) {
    const used = await consumeRecoveryCode(
      deps.db,
      row.workspace_id,
      row.id,
      hashSecret(normalizeRecoveryCode(input.recoveryCode)),
      now.toISOString(),
    )
    if (!used) return fail('recovery code invalid or used', row.id)
    return
  }
  throw new AppError(
    'two_factor_required',
    'Send totpCode (from the authenticator app) or a recoveryCode',
    {
      errors: [{ in: 'body', field: 'totpCode', message: 'is required for this account' }],
    },
  )
}

async function startSession(
  deps: IdentityDeps,
  row: OperatorsTable,
  now: Date,
): Promise<{ sessionId: string; session: SessionGrant }> {
  const token = randomToken(32)
  const expiresAt = new Date(now.getTime() + policyOf(deps).absoluteHours * 3_600_000).toISOString()
  const sessionId = newId(now)
  await deps.db
    .insertInto('sessions')
    .values({
      id: sessionId,
      token_hash: hashSecret(token),
      workspace_id: row.workspace_id,
      operator_id: row.id,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute()
  const operator = await openOperator(deps, row)
  return { sessionId, session: { token, csrfToken: csrfTokenFor(token), expiresAt, operator } }
}

// Refreshing last_seen_at at most once a minute keeps reads from becoming writes.
const touchIntervalMs = 60_000

/** The operator principal of a session token, or undefined when it is unknown or over. */
export async function authenticateSession(
  deps: Pick<IdentityDeps, 'db' | 'clock' | 'policy'>,
  token: string,
): Promise<Principal | undefined> {
  if (token.length > 200) return undefined
  const row = await deps.db
    .selectFrom('sessions')
    .innerJoin('operators', (join) =>
      join
        .onRef('operators.id', '=', 'sessions.operator_id')
        .onRef('operators.workspace_id', '=', 'sessions.workspace_id'),
    )
    .select([
      'sessions.id as sessionId',
      'sessions.workspace_id as workspaceId',
      'sessions.operator_id as operatorId',
      'sessions.last_seen_at as lastSeenAt',
      'sessions.expires_at as expiresAt',
      'sessions.revoked_at as revokedAt',
      'operators.role as role',
      'operators.totp_enabled_at as totpEnabledAt',
      'operators.disabled_at as disabledAt',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .executeTakeFirst()
  if (row === undefined || row.revokedAt !== null || row.disabledAt !== null) return undefined
  const now = deps.clock.now()
  const idleLimit = Date.parse(row.lastSeenAt) + policyOf(deps).idleMinutes * 60_000
  if (now.toISOString() >= row.expiresAt || now.getTime() >= idleLimit) return undefined
  if (now.getTime() - Date.parse(row.lastSeenAt) > touchIntervalMs) {
    await deps.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('id', '=', row.sessionId)
      .execute()
  }
  return {
    kind: 'operator',
    workspaceId: row.workspaceId,
    operatorId: row.operatorId,
    role: row.role,
    twoFactorEnabled: row.totpEnabledAt !== null,
    sessionId: row.sessionId,
  }
}

/** Ends one session, or every session of the operator (`everywhere`). */
export async function logout(
  deps: IdentityDeps,
  input: { workspaceId: string; operatorId: string; sessionId: string; everywhere: boolean },
  context: RequestContext = {},
): Promise<{ sessionsEnded: number }> {
  let query = deps.db
    .updateTable('sessions')
    .set({ revoked_at: deps.clock.now().toISOString() })
    .where('workspace_id', '=', input.workspaceId)
    .where('operator_id', '=', input.operatorId)
    .where('revoked_at', 'is', null)
  if (!input.everywhere) query = query.where('id', '=', input.sessionId)
  const result = await query.executeTakeFirst()
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: { actorType: 'operator', actorId: input.operatorId },
    action: input.everywhere ? 'auth.logout_everywhere' : 'auth.logout',
    outcome: 'succeeded',
    resource: { type: 'session', id: input.sessionId },
    subjectId: input.operatorId,
    ...context,
  })
  return { sessionsEnded: Number(result.numUpdatedRows) }
}
