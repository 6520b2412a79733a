import type { Command } from 'commander'
import { rotateSigningKey } from '../signing/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface RotateOptions extends CommonOptions {
  workspace: string
}

/**
 * `custodian signing-key rotate`: a new Ed25519 key signs the workspace's consent
 * receipts from now on; the old one stays in the published key set, so every receipt it
 * signed still verifies.
 *
 * @example
 *   npx custodian signing-key rotate --workspace 0193… --json
 *   # {"retiredKid":"jQYI…","kid":"AKCf…"}
 */
export function registerSigningKeyCommand(program: Command): void {
  const group = program
    .command('signing-key')
    .description("a workspace's key that signs its consent receipts")
  addCommonOptions(
    group
      .command('rotate')
      .description('retire the current signing key and make a new one')
      .requiredOption('--workspace <id>', 'the workspace'),
  ).action(async (options: RotateOptions) => {
    const rotated = await withCliContext(configFrom(options), (context) =>
      rotateSigningKey(context.modules.signing, {
        workspaceId: options.workspace,
        actor: context.actor,
      }),
    )
    report(
      options,
      rotated,
      `New signing key ${rotated.kid}${rotated.retiredKid === null ? '' : `; ${rotated.retiredKid} retired, still published`}`,
    )
  })
}
