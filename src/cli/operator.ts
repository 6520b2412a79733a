import type { Command } from 'commander'
import { isEmailAddress } from '../email/index.js'
import { AppError } from '../errors.js'
import { createOperator } from '../identity/operators.service.js'
import { type Role, roles } from '../identity/permissions.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface CreateOptions extends CommonOptions {
  workspace: string
  email: string
  role: string
  firstName?: string
  lastName?: string
}

function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}

/**
 * `custodian operator create`: invites a workspace's staff member and prints the
 * one-time link where they set a password (valid 72 hours).
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
    if (!isEmailAddress(options.email))
      throw new AppError('invalid_request', '--email must be an email address')
    const created = await withCliContext(configFrom(options), (context) =>
      createOperator(context.identity, {
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
}
