import type { AuditEvent } from '../audit/index.js'
import { AppError } from '../errors.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import { workspaceNamed } from './identity.deps.js'
import { policyOf } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import { hashPassword, verifyPassword } from './passwords.js'
import { checkSecondFactor } from './second-factor.js'
import { type SessionGrant, startSession } from './sessions.service.js'
import { fillEmailLookup, findSignInCandidates, isUsable } from './sign-in-candidates.js'
import {
  accountKeyFor,
  type AttemptLimits,
  releaseAttempt,
  reserveAttempt,
  settleFailure,
  settleSuccess,
  type ThrottleKeys,
} from './sign-in-attempts.js'

export interface LoginInput {
  /** The workspace to sign in to; without it, the email's account is found in any workspace. */
  workspaceId?: string | undefined
  email: string
  password: string
  totpCode?: string | undefined
  recoveryCode?: string | undefined
}

/** A workspace the password opened, for the client to choose from. */
export interface WorkspaceChoice {
  id: string
  name: string
}

export type LoginOutcome =
  | { kind: 'signed-in'; session: SessionGrant }
  | { kind: 'choose-workspace'; workspaces: WorkspaceChoice[] }

const wrongCredentials = 'The email or password is wrong'

/**
 * Signs an operator in: password, then (when enrolled) a TOTP or recovery code.
 *
 * Each attempt first reserves its place under the email's and the client address's
 * limits (sign-in-attempts.ts), and only then hashes; a refused attempt hashes nothing.
 * An unknown email, a disabled account and a wrong password take the same path, the
 * same one hash and the same answer, and their audit entries are queued, not awaited,
 * so the response time does not tell them apart.
 *
 * Without `workspaceId` the email's accounts are looked for in every workspace: one is
 * signed in to; when there are several, the password is checked against the oldest,
 * and only once it opens it are the workspaces it opens listed to choose from.
 */
export async function login(
  deps: IdentityDeps,
  input: LoginInput,
  context: RequestContext = {},
): Promise<LoginOutcome> {
  const limits = attemptLimitsOf(deps)
  const emailLookup = await deps.keyring.instanceBlindIndex('email', input.email)
  const keys = await throttleKeysOf(deps, emailLookup, context)
  const reservation = await reserveAttempt(deps.db, keys, deps.clock.now(), limits)
  if (!reservation.granted) {
    if (reservation.refusedBy === 'address') {
      throw new AppError(
        'rate_limited',
        'Too many failed sign-ins from this address; try again later',
        { headers: { 'retry-after': String(reservation.retryAfterSeconds) } },
      )
    }
    const [row] = await findSignInCandidates(deps, input, emailLookup)
    return refuse(deps, 'account locked', row, context)
  }
  const attempt = pendingAttempt(deps, keys, reservation.attemptId, context)
  try {
    return await checkCredentials(deps, input, emailLookup, attempt, context)
  } finally {
    await attempt.releaseUnlessSettled()
  }
}

/** The password on the account it is for (a decoy when there is none), then the second factor. */
async function checkCredentials(
  deps: IdentityDeps,
  input: LoginInput,
  emailLookup: Buffer,
  attempt: PendingAttempt,
  context: RequestContext,
): Promise<LoginOutcome> {
  const candidates = await findSignInCandidates(deps, input, emailLookup)
  const target = candidates.find(isUsable)
  if (target === undefined) {
    await verifyPassword(input.password, await decoyHash(deps), deps.hashSlots)
    const [row] = candidates
    return attempt.fail(row === undefined ? 'unknown account' : 'account not usable', row)
  }
  if (!(await verifyPassword(input.password, target.password_hash, deps.hashSlots))) {
    return attempt.fail('wrong password', target)
  }
  if (input.workspaceId === undefined) {
    const others = await othersOpened(deps, candidates.filter(isUsable).slice(1), input.password)
    if (others.length > 0) return offerChoice(deps, [target, ...others], context)
  }
  if (target.totp_enabled_at !== null) {
    const failure = await checkSecondFactor(deps, target, input, deps.clock.now())
    if (failure !== undefined) return attempt.fail(failure, target)
  }
  await attempt.succeed()
  await fillEmailLookup(deps.db, target, emailLookup)
  return { kind: 'signed-in', session: await startSession(deps, target, context) }
}

function attemptLimitsOf(deps: IdentityDeps): AttemptLimits {
  const policy = policyOf(deps)
  return {
    perAccount: policy.maxFailuresPerAccount,
    perAddress: policy.maxFailuresPerAddress,
    windowMinutes: policy.lockoutMinutes,
    reservationSeconds: policy.reservationSeconds,
  }
}

/** A granted reservation, settled once: as a failure, a success, or given back. */
interface PendingAttempt {
  fail(reason: string, row: OperatorsTable | undefined): Promise<never>
  succeed(): Promise<void>
  /** A second factor still to come, a choice offered, or an error: the place is given back. */
  releaseUnlessSettled(): Promise<void>
}

function pendingAttempt(
  deps: IdentityDeps,
  keys: ThrottleKeys,
  attemptId: string,
  context: RequestContext,
): PendingAttempt {
  let settled = false
  return {
    async fail(reason, row) {
      settled = true
      const now = deps.clock.now()
      const limits = attemptLimitsOf(deps)
      const { accountLocked } = await settleFailure(deps.db, keys, attemptId, now, limits)
      if (accountLocked && row !== undefined) await recordLock(deps, row, context)
      return refuse(deps, reason, row, context)
    },
    async succeed() {
      settled = true
      await settleSuccess(deps.db, keys, attemptId)
    },
    async releaseUnlessSettled() {
      if (settled) return
      settled = true
      // Best effort: a place not given back expires by itself.
      await releaseAttempt(deps.db, attemptId).catch(() => undefined)
    },
  }
}

async function throttleKeysOf(
  deps: Pick<IdentityDeps, 'keyring'>,
  emailLookup: Buffer,
  context: RequestContext,
): Promise<ThrottleKeys> {
  const account = accountKeyFor(emailLookup)
  if (!context.ip) return { account }
  const address = await deps.keyring.instanceBlindIndex('ip_address', context.ip)
  return { account, address: `address:${address.toString('hex')}` }
}

/** Records the refusal (queued: a miss has nothing to wait for either) and answers 401. */
async function refuse(
  deps: IdentityDeps,
  reason: string,
  row: OperatorsTable | undefined,
  context: RequestContext,
): Promise<never> {
  const event: AuditEvent =
    row === undefined
      ? {
          // An unknown email is no workspace's operator: the platform's log has it. (Never
          // a workspace the client named: that would make keys for any id it sends.)
          workspaceId: null,
          actor: { actorType: 'operator', actorId: null },
          action: 'auth.login_failed',
          outcome: 'failed',
          details: { reason },
          ...context,
        }
      : {
          workspaceId: row.workspace_id,
          actor: { actorType: 'operator', actorId: row.id },
          action: 'auth.login_failed',
          outcome: 'failed',
          resource: { type: 'operator', id: row.id },
          subjectId: row.id,
          details: { reason },
          ...context,
        }
  await deps.audit.recordSoon([event])
  throw new AppError('unauthorized', wrongCredentials)
}

async function recordLock(
  deps: IdentityDeps,
  row: OperatorsTable,
  context: RequestContext,
): Promise<void> {
  await deps.audit.recordSoon([
    {
      workspaceId: row.workspace_id,
      actor: { actorType: 'system', actorId: null },
      action: 'auth.account_locked',
      outcome: 'succeeded',
      resource: { type: 'operator', id: row.id },
      subjectId: row.id,
      ...context,
    },
  ])
}

/** The other accounts of the email that this (already verified) password opens too. */
async function othersOpened(
  deps: IdentityDeps,
  others: (OperatorsTable & { password_hash: string })[],
  password: string,
): Promise<OperatorsTable[]> {
  const opened: OperatorsTable[] = []
  for (const row of others) {
    if (await verifyPassword(password, row.password_hash, deps.hashSlots)) opened.push(row)
  }
  return opened
}

/** The password opened accounts in several workspaces: the client chooses one and asks again. */
async function offerChoice(
  deps: IdentityDeps,
  rows: OperatorsTable[],
  context: RequestContext,
): Promise<LoginOutcome> {
  const workspaces: WorkspaceChoice[] = []
  for (const row of rows) {
    const workspace = await workspaceNamed(deps, row.workspace_id)
    workspaces.push({ id: workspace.id, name: workspace.name })
    await deps.audit.record({
      workspaceId: row.workspace_id,
      actor: { actorType: 'operator', actorId: row.id },
      action: 'auth.workspace_choice_offered',
      outcome: 'succeeded',
      resource: { type: 'operator', id: row.id },
      subjectId: row.id,
      details: { workspaces: rows.length },
      ...context,
    })
  }
  return { kind: 'choose-workspace', workspaces }
}

// A hash to verify against when no account can be checked, so a miss takes as long as
// a hit and response times do not reveal who has an account. One per cost.
const decoyHashes = new Map<string, Promise<string>>()

function decoyHash(deps: Pick<IdentityDeps, 'passwordCost' | 'hashSlots'>): Promise<string> {
  const key = JSON.stringify(deps.passwordCost ?? null)
  let decoy = decoyHashes.get(key)
  if (decoy === undefined) {
    decoy = hashPassword('decoy password for timing', deps.passwordCost, deps.hashSlots)
    decoyHashes.set(key, decoy)
    // Turned away by a full hash queue, say: the next miss tries again.
    decoy.catch(() => decoyHashes.delete(key))
  }
  return decoy
}
