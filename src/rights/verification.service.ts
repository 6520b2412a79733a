import { AppError } from '../errors.js'
import { inWriteTransaction } from '../storage/index.js'
import type { RequestStatus } from './request-states.logic.js'
import type { RightsDeps } from './rights.deps.js'
import { verificationMail } from './rights.mail.js'
import { appendEvent, findRequest, serialiseOn, updateRequest } from './rights.repository.js'
import {
  actorLabel,
  audit,
  mailPerson,
  requireRequest,
  type RequestView,
  type RightsCaller,
  type RightsContext,
  transition,
  viewOf,
} from './rights.service.js'
import type { RightsRequestsTable } from './rights.table.js'
import {
  codeHash,
  codeMatches,
  newVerificationCode,
  verificationPolicy,
} from './verification.logic.js'

/**
 * Mails a fresh code to the address the request names, replacing any earlier one, and
 * moves a `received` request to `verifying`. The code is stored only as a hash.
 */
export async function sendCode(
  deps: RightsDeps,
  caller: Pick<RightsCaller, 'principal' | 'actor'>,
  current: RightsRequestsTable,
  options: { reminder: boolean },
  context: RightsContext = {},
): Promise<RightsRequestsTable> {
  const status = current.status as RequestStatus
  if (status !== 'received' && status !== 'verifying') {
    throw new AppError('conflict', `A request that is ${status} needs no code`)
  }
  if (current.codes_sent >= verificationPolicy.codesPerRequest) {
    throw new AppError('rate_limited', 'No more codes can be sent for this request', {
      headers: { 'retry-after': '86400' },
    })
  }
  const code = newVerificationCode()
  const now = deps.clock.now()
  const expiresAt = new Date(now.getTime() + verificationPolicy.codeMinutes * 60_000).toISOString()
  const row = await transition(deps, caller, current, 'verifying', {
    event: options.reminder ? 'code-reminded' : 'code-sent',
    detail: null,
    changes: {
      code_hash: codeHash(current.id, code),
      code_expires_at: expiresAt,
      code_attempts: 0,
      codes_sent: current.codes_sent + 1,
      ...(options.reminder ? { verification_reminded_at: now.toISOString() } : {}),
    },
  })
  const delivered = await mailPerson(deps, row, (about) =>
    verificationMail(about, code, verificationPolicy.codeMinutes, options.reminder),
  )
  await audit(deps, caller, context, 'rights.code_sent', row, {
    reminder: options.reminder,
    delivered,
  })
  return row
}

/** The person asks for a new code (the last one expired, or attempts ran out). */
export async function resendCode(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  const row = await sendCode(deps, caller, current, { reminder: false }, context)
  return viewOf(row, deps.clock.now())
}

export type VerifyInput = { code: string } | { reason: string }

/**
 * Confirms the requester is the person (Art. 12(6)): the code from their mail, or an
 * operator's confirmation with a recorded reason (they checked a document, say). A wrong
 * code counts against the code; past the attempts or its time, only a new code helps.
 */
export async function verifyRequest(
  deps: RightsDeps,
  caller: RightsCaller,
  id: string,
  input: VerifyInput,
  context: RightsContext = {},
): Promise<RequestView> {
  const current = await requireRequest(deps, caller.workspaceId, id)
  if ('reason' in input) {
    if (caller.principal === 'public-key') {
      throw new AppError('forbidden', 'Only the controller may confirm an identity by hand')
    }
    const row = await transition(deps, caller, current, 'in-progress', {
      event: 'verified',
      detail: 'by an operator',
      note: { kind: 'verification', text: input.reason },
      changes: {
        verified_at: deps.clock.now().toISOString(),
        verification_method: 'operator',
        code_hash: null,
        code_expires_at: null,
      },
    })
    await audit(deps, caller, context, 'rights.request_verified', row, { method: 'operator' })
    return viewOf(row, deps.clock.now())
  }
  const outcome = await checkCode(deps, caller, current, input.code)
  if (!outcome.ok) {
    await audit(deps, caller, context, 'rights.verification_failed', current, {
      why: outcome.why,
      attempts: outcome.attempts,
    })
    const messages = {
      wrong: 'That code is not right',
      expired: 'That code has expired: ask for a new one',
      exhausted: 'Too many wrong codes: ask for a new one',
      none: 'No code is waiting for this request: ask for a new one',
    } as const
    throw new AppError(
      outcome.why === 'wrong' ? 'invalid_request' : 'conflict',
      messages[outcome.why],
      {
        errors: [{ in: 'body', field: 'code', message: messages[outcome.why] }],
      },
    )
  }
  await audit(deps, caller, context, 'rights.request_verified', outcome.row, { method: 'code' })
  return viewOf(outcome.row, deps.clock.now())
}

type CodeCheck =
  | { ok: true; row: RightsRequestsTable }
  | { ok: false; why: 'wrong' | 'expired' | 'exhausted' | 'none'; attempts: number }

/**
 * Checks a code under the request's lock, so concurrent guesses each count: at most
 * `attemptsPerCode` guesses are ever compared against one code.
 */
async function checkCode(
  deps: RightsDeps,
  caller: Pick<RightsCaller, 'principal' | 'actor'>,
  current: RightsRequestsTable,
  code: string,
): Promise<CodeCheck> {
  if (current.status !== 'verifying') {
    throw new AppError('conflict', `A request that is ${current.status} takes no code`)
  }
  const now = deps.clock.now()
  const nowIso = now.toISOString()
  const result = await inWriteTransaction(deps.db, async (trx): Promise<CodeCheck> => {
    await serialiseOn(trx, `rights-request:${current.id}`)
    const row = await findRequest(trx, current.workspace_id, current.id)
    if (row === undefined || row.status !== 'verifying') {
      throw new AppError('conflict', 'The request changed meanwhile; read it again')
    }
    if (row.code_hash === null || row.code_expires_at === null) {
      return { ok: false, why: 'none', attempts: row.code_attempts }
    }
    if (row.code_attempts >= verificationPolicy.attemptsPerCode) {
      return { ok: false, why: 'exhausted', attempts: row.code_attempts }
    }
    if (row.code_expires_at <= nowIso)
      return { ok: false, why: 'expired', attempts: row.code_attempts }
    if (!codeMatches(row.code_hash, row.id, code)) {
      const attempts = row.code_attempts + 1
      await updateRequest(trx, row.workspace_id, row.id, { code_attempts: attempts })
      await appendEvent(trx, {
        workspace_id: row.workspace_id,
        request_id: row.id,
        at: nowIso,
        event: 'code-refused',
        actor: actorLabel(caller),
        detail: `attempt ${attempts} of ${verificationPolicy.attemptsPerCode}`,
      })
      return { ok: false, why: 'wrong', attempts }
    }
    const changes: Partial<RightsRequestsTable> = {
      status: 'in-progress',
      verified_at: nowIso,
      verification_method: 'code',
      code_hash: null,
      code_expires_at: null,
      updated_at: nowIso,
    }
    await updateRequest(trx, row.workspace_id, row.id, changes)
    await appendEvent(trx, {
      workspace_id: row.workspace_id,
      request_id: row.id,
      at: nowIso,
      event: 'verified',
      actor: actorLabel(caller),
      detail: 'by code',
    })
    return { ok: true, row: { ...row, ...changes } }
  })
  return result
}
