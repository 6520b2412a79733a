import { AppError } from '../errors.js'
import type { IdentityAuditAction } from './identity.audit.js'
import type { IdentityDeps, RequestContext } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import { findOperator, replaceRecoveryCodes, updateOperator } from './operators.repository.js'
import { openOperator } from './operators.service.js'
import { hashSecret, newRecoveryCodes, normalizeRecoveryCode } from './secrets.js'
import { checkTotp, newTotpSecret, totpUri } from './totp.js'

/**
 * TOTP enrolment in two steps, as authenticator apps expect: `enroll` makes a secret
 * and its otpauth:// URI (shown as a QR code), `confirm` proves the app has it with one
 * valid code, turns 2FA on and hands out ten one-time recovery codes.
 */
const cellOf = (operatorId: string) => ({
  table: 'operators',
  column: 'totp_secret',
  rowId: operatorId,
})

interface Who {
  workspaceId: string
  operatorId: string
}

async function operatorRow(deps: IdentityDeps, who: Who): Promise<OperatorsTable> {
  const row = await findOperator(deps.db, who.workspaceId, who.operatorId)
  if (row === undefined) throw new AppError('not_found', 'No such operator')
  return row
}

export async function enrollTotp(
  deps: IdentityDeps,
  who: Who,
): Promise<{ secret: string; otpauthUri: string }> {
  const row = await operatorRow(deps, who)
  if (row.totp_enabled_at !== null) {
    throw new AppError('conflict', 'Two-factor authentication is already on; turn it off first')
  }
  const secret = newTotpSecret()
  const sealer = await deps.keyring.sealerFor(who.workspaceId, who.operatorId)
  await updateOperator(deps.db, who.workspaceId, who.operatorId, {
    totp_secret: sealer.seal(cellOf(who.operatorId), secret),
    updated_at: deps.clock.now().toISOString(),
  })
  const operator = await openOperator(deps, row)
  return { secret, otpauthUri: totpUri(secret, operator.email) }
}

export async function confirmTotp(
  deps: IdentityDeps,
  who: Who,
  code: string,
  context: RequestContext = {},
): Promise<{ recoveryCodes: string[] }> {
  const row = await operatorRow(deps, who)
  if (row.totp_enabled_at !== null)
    throw new AppError('conflict', 'Two-factor authentication is already on')
  if (row.totp_secret === null) throw new AppError('conflict', 'Start enrolment first')
  const now = deps.clock.now()
  const step = await verifyCode(deps, row, code, now)
  const recoveryCodes = newRecoveryCodes()
  await updateOperator(deps.db, who.workspaceId, who.operatorId, {
    totp_enabled_at: now.toISOString(),
    totp_last_step: step,
    updated_at: now.toISOString(),
  })
  await storeRecoveryCodes(deps, who, recoveryCodes, now)
  await record(deps, who, 'auth.two_factor_enabled', context)
  return { recoveryCodes }
}

export async function disableTotp(
  deps: IdentityDeps,
  who: Who,
  code: string,
  context: RequestContext = {},
): Promise<void> {
  const row = await operatorRow(deps, who)
  if (row.totp_enabled_at === null)
    throw new AppError('conflict', 'Two-factor authentication is not on')
  const now = deps.clock.now()
  await verifyCode(deps, row, code, now)
  await updateOperator(deps.db, who.workspaceId, who.operatorId, {
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    updated_at: now.toISOString(),
  })
  await replaceRecoveryCodes(deps.db, who.workspaceId, who.operatorId, [])
  await record(deps, who, 'auth.two_factor_disabled', context)
}

export async function regenerateRecoveryCodes(
  deps: IdentityDeps,
  who: Who,
  code: string,
  context: RequestContext = {},
): Promise<{ recoveryCodes: string[] }> {
  const row = await operatorRow(deps, who)
  if (row.totp_enabled_at === null)
    throw new AppError('conflict', 'Two-factor authentication is not on')
  const now = deps.clock.now()
  const step = await verifyCode(deps, row, code, now)
  await updateOperator(deps.db, who.workspaceId, who.operatorId, { totp_last_step: step })
  const recoveryCodes = newRecoveryCodes()
  await storeRecoveryCodes(deps, who, recoveryCodes, now)
  await record(deps, who, 'auth.recovery_codes_regenerated', context)
  return { recoveryCodes }
}

async function verifyCode(
  deps: IdentityDeps,
  row: OperatorsTable,
  code: string,
  now: Date,
): Promise<number> {
  if (row.totp_secret === null) throw new AppError('conflict', 'Start enrolment first')
  const sealer = await deps.keyring.sealerFor(row.workspace_id, row.id, { create: false })
  const secret = sealer.openText(cellOf(row.id), row.totp_secret)
  const result = checkTotp(secret, code, now, row.totp_last_step)
  if (!result.ok) {
    throw new AppError(
      'invalid_request',
      `The code is ${result.reason === 'replayed' ? 'already used' : 'wrong or expired'}`,
      {
        errors: [
          {
            in: 'body',
            field: 'code',
            message: result.reason === 'replayed' ? 'was already used' : 'is wrong or expired',
          },
        ],
      },
    )
  }
  return result.step
}

async function storeRecoveryCodes(
  deps: IdentityDeps,
  who: Who,
  codes: string[],
  now: Date,
): Promise<void> {
  await replaceRecoveryCodes(
    deps.db,
    who.workspaceId,
    who.operatorId,
    codes.map((code) => ({
      operator_id: who.operatorId,
      workspace_id: who.workspaceId,
      code_hash: hashSecret(normalizeRecoveryCode(code)),
      used_at: null,
      created_at: now.toISOString(),
    })),
  )
}

async function record(
  deps: IdentityDeps,
  who: Who,
  action: IdentityAuditAction,
  context: RequestContext,
): Promise<void> {
  await deps.audit.record({
    workspaceId: who.workspaceId,
    actor: { actorType: 'operator', actorId: who.operatorId },
    action,
    outcome: 'succeeded',
    resource: { type: 'operator', id: who.operatorId },
    subjectId: who.operatorId,
    ...context,
  })
}
