import { newId } from '../ids.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { workspaceNamed } from './identity.deps.js'
import { policyOf } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import { type OperatorView, openOperator } from './operators.service.js'
import type { Principal } from './principal.js'
import { csrfTokenFor, hashSecret, randomToken } from './secrets.js'

export interface SessionGrant {
  /** The session token for the cookie; only its hash is stored. */
  token: string
  csrfToken: string
  expiresAt: string
  operator: OperatorView
  /** The workspace signed in to; its name is how people know it. */
  workspace: { id: string; name: string }
}

/**
 * Starts a session for an operator whose password (and second factor) were checked,
 * and records the sign-in.
 */
export async function startSession(
  deps: IdentityDeps,
  row: OperatorsTable,
  context: RequestContext = {},
): Promise<SessionGrant> {
  const now = deps.clock.now()
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
  await deps.audit.record({
    workspaceId: row.workspace_id,
    actor: { actorType: 'operator', actorId: row.id },
    action: 'auth.login',
    outcome: 'succeeded',
    resource: { type: 'session', id: sessionId },
    subjectId: row.id,
    details: { secondFactor: row.totp_enabled_at !== null },
    ...context,
  })
  const operator = await openOperator(deps, row)
  const workspace = await workspaceNamed(deps, row.workspace_id)
  return {
    token,
    csrfToken: csrfTokenFor(token),
    expiresAt,
    operator,
    workspace: { id: workspace.id, name: workspace.name },
  }
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
