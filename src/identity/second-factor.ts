import { AppError } from '../errors.js'
import type { IdentityDeps } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'
import { consumeRecoveryCode } from './operators.repository.js'
import { hashSecret, normalizeRecoveryCode } from './secrets.js'
import { checkTotp } from './totp.js'

/**
 * The second step of a sign-in, after the password: a TOTP code (RFC 6238) or a
 * recovery code. Returns why it failed, undefined when it passed, and throws
 * `two_factor_required` when the client sent neither (the password was right: the
 * client asks for a code and sends everything again).
 */
export async function checkSecondFactor(
  deps: Pick<IdentityDeps, 'db' | 'keyring'>,
  row: OperatorsTable,
  input: { totpCode?: string | undefined; recoveryCode?: string | undefined },
  now: Date,
): Promise<string | undefined> {
  if (input.totpCode) return checkTotpCode(deps, row, input.totpCode, now)
  if (input.recoveryCode) {
    const used = await consumeRecoveryCode(
      deps.db,
      row.workspace_id,
      row.id,
      hashSecret(normalizeRecoveryCode(input.recoveryCode)),
      now.toISOString(),
    )
    return used ? undefined : 'recovery code invalid or used'
  }
  throw new AppError(
    'two_factor_required',
    'Send totpCode (from the authenticator app) or a recoveryCode',
    {
      errors: [{ in: 'body', field: 'totpCode', message: 'is required for this account' }],
    },
  )
}

async function checkTotpCode(
  deps: Pick<IdentityDeps, 'db' | 'keyring'>,
  row: OperatorsTable,
  code: string,
  now: Date,
): Promise<string | undefined> {
  if (row.totp_secret === null) return 'no second factor secret'
  const sealer = await deps.keyring.sealerFor(row.workspace_id, row.id, { create: false })
  const secret = sealer.openText(
    { table: 'operators', column: 'totp_secret', rowId: row.id },
    row.totp_secret,
  )
  const result = checkTotp(secret, code, now, row.totp_last_step)
  if (!result.ok) return `second factor ${result.reason}`
  // Only if no other sign-in took this step or a later one meanwhile: a code works once,
  // even when two requests carry it at the same moment.
  const taken = await deps.db
    .updateTable('operators')
    .set({ totp_last_step: result.step })
    .where('workspace_id', '=', row.workspace_id)
    .where('id', '=', row.id)
    .where((eb) =>
      eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', result.step)]),
    )
    .executeTakeFirst()
  return taken.numUpdatedRows > 0n ? undefined : 'second factor replayed'
}
