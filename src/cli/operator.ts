import type { Command } from 'commander'
import { isEmailAddress } from '../email/index.js'
import { AppError } from '../errors.js'
import { createOperator } from '../identity/index.js'
import { type Role, roles, rolesRequiringTwoFactor } from '../identity/index.js'
import { reissueSetupLink, resetTwoFactor } from '../identity/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface CreateOptions extends CommonOptions {
  workspace: string
  email: string
  role: string
  firstName?: string
  lastName?: string
}

interface RecoverOptions extends CommonOptions {
  workspace: string
  email: string
}

function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}

function checkEmail(email: string): void {
  if (!isEmailAddress(email))
    throw new AppError('invalid_request', '--email must be an email address')
}

/**
 * `custodian operator create`: invites a workspace's staff member and prints the
 * one-time link where they set a password (valid 72 hours).
 *
 * `operator invite-again` and `operator reset-2fa` are the way back in for an operator
 * who cannot sign in (see registerRecoveryCommands).
 *
 * @example
 *   npx custodian operator create --workspace 0193… --email dpo@acme.example --role owner
 */
export function registerOperatorCommand(program: Command): void {
  const operator = program.command('operator').description("manage a workspace's operators")
  addCommonOptions(
    operator
      .command('create')
      .description('invite an operator and print a one-time setup link')
      .requiredOption('--workspace <id>', 'the workspace id')
      .requiredOption('--email <email>', "the operator's email")
      .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
      .option('--first-name <name>')
      .option('--last-name <name>'),
  ).action(async (options: CreateOptions) => {
    const role = options.role
    if (!isRole(role))
      throw new AppError('invalid_request', `--role must be one of ${roles.join(', ')}`)
    checkEmail(options.email)
    const created = await withCliContext(configFrom(options), (context) =>
      createOperator(context.modules.identity, {
        workspaceId: options.workspace,
        email: options.email,
        role,
        firstName: options.firstName ?? null,
        lastName: options.lastName ?? null,
        actor: context.actor,
      }),
    )
    report(
      options,
      {
        id: created.operator.id,
        workspaceId: created.operator.workspaceId,
        role: created.operator.role,
        setupUrl: created.setupUrl,
        setupToken: created.setupToken,
        expiresAt: created.expiresAt,
      },
      `Operator ${created.operator.id} (${role}) invited.\nSetup link (one use, until ${created.expiresAt}):\n${created.setupUrl}`,
    )
  })
  registerRecoveryCommands(operator)
}

/**
 * `custodian operator invite-again`: a new one-time setup link (72 hours) for an
 * operator whose invitation expired or who lost their password; every earlier link
 * stops working. Completing it sets a new password, ends the operator's sessions and
 * lifts a lockout. A disabled operator is refused: disabling was the workspace's call.
 *
 * `custodian operator reset-2fa`: for an operator who lost their authenticator and
 * recovery codes. Turns TOTP off, deletes the recovery codes, ends every session; an
 * owner, admin or DPO must enrol again before reaching anything.
 *
 * @example
 *   npx custodian operator invite-again --workspace 0193… --email dpo@acme.example --json
 *   # {"id":"0193…","workspaceId":"0193…","role":"owner","setupUrl":"https://…/setup#token=…",…}
 *   npx custodian operator reset-2fa --workspace 0193… --email dpo@acme.example
 *   # Two-factor authentication of operator 0193… (owner) reset: …
 */
function registerRecoveryCommands(operator: Command): void {
  const recoverCommand = (name: string, description: string) =>
    addCommonOptions(
      operator
        .command(name)
        .description(description)
        .requiredOption('--workspace <id>', 'the workspace id')
        .requiredOption('--email <email>', "the operator's email"),
    )
  recoverCommand(
    'invite-again',
    'issue a new one-time setup link (to set a new password) and void the earlier ones',
  ).action(async (options: RecoverOptions) => {
    checkEmail(options.email)
    const issued = await withCliContext(configFrom(options), (context) =>
      reissueSetupLink(context.modules.identity, {
        workspaceId: options.workspace,
        email: options.email,
        actor: context.actor,
      }),
    )
    const { operator: invited } = issued
    const voided =
      issued.voidedLinks === 0 ? '' : ` ${plural(issued.voidedLinks, 'earlier link')} voided.`
    report(
      options,
      {
        id: invited.id,
        workspaceId: invited.workspaceId,
        role: invited.role,
        setupUrl: issued.setupUrl,
        setupToken: issued.setupToken,
        expiresAt: issued.expiresAt,
        voidedLinks: issued.voidedLinks,
      },
      `Operator ${invited.id} (${invited.role}) invited again.${voided}\nSetup link (one use, until ${issued.expiresAt}; it sets a password and ends the operator's sessions):\n${issued.setupUrl}`,
    )
  })
  recoverCommand(
    'reset-2fa',
    'turn off two-factor authentication, delete recovery codes, end every session',
  ).action(async (options: RecoverOptions) => {
    checkEmail(options.email)
    const reset = await withCliContext(configFrom(options), (context) =>
      resetTwoFactor(context.modules.identity, {
        workspaceId: options.workspace,
        email: options.email,
        actor: context.actor,
      }),
    )
    const { operator: target } = reset
    const next = rolesRequiringTwoFactor.has(target.role)
      ? `The ${target.role} role reaches nothing until two-factor authentication is on again: the next sign-in leads to enrolment.`
      : `The ${target.role} role works without two-factor authentication; enrolling again is up to the operator.`
    report(
      options,
      {
        id: target.id,
        workspaceId: target.workspaceId,
        role: target.role,
        twoFactorWasOn: reset.twoFactorWasOn,
        recoveryCodesDeleted: reset.recoveryCodesDeleted,
        sessionsEnded: reset.sessionsEnded,
        mustEnrol: rolesRequiringTwoFactor.has(target.role),
      },
      `Two-factor authentication of operator ${target.id} (${target.role}) ${reset.twoFactorWasOn ? 'turned off' : 'was not on'}; ${plural(reset.recoveryCodesDeleted, 'recovery code')} deleted, ${plural(reset.sessionsEnded, 'session')} ended.\n${next}`,
    )
  })
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
