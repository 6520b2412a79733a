import type { Command } from 'commander'
import { createWorkspace, listAllWorkspaces } from '../workspaces/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface CreateOptions extends CommonOptions {
  name: string
  region?: string
}

/**
 * `custodian workspace create`: a new tenant with its first public and secret keys.
 * The secret key is printed this once and stored only as a hash.
 *
 * @example
 *   npx custodian workspace create --name "Acme" --json
 *   # {"id":"0193…","name":"Acme","region":"eu","publicKey":"cus_pk_…","secretKey":"cus_sk_…"}
 */
export function registerWorkspaceCommand(program: Command): void {
  const workspace = program.command('workspace').description('manage workspaces (tenants)')
  addCommonOptions(
    workspace
      .command('create')
      .description('create a workspace and print its API keys (the secret is shown once)')
      .requiredOption('--name <name>', "the business's name")
      .option('--region <region>', "the region its data stays in (default: the instance's)"),
  ).action(async (options: CreateOptions) => {
    const config = configFrom(options)
    const created = await withCliContext(config, (context) =>
      createWorkspace(context.modules.workspaces, {
        name: options.name,
        ...(options.region ? { region: options.region } : {}),
        actor: context.actor,
      }),
    )
    report(
      options,
      {
        id: created.id,
        name: created.name,
        region: created.region,
        publicKey: created.publicKey,
        secretKey: created.secretKey,
      },
      [
        `Workspace ${created.name} (${created.id}) in region ${created.region}`,
        `Public key (browser SDK): ${created.publicKey}`,
        `Secret key (servers; shown once, store it now): ${created.secretKey}`,
      ].join('\n'),
    )
  })

  addCommonOptions(workspace.command('list').description('list workspaces')).action(
    async (options: CommonOptions) => {
      const workspaces = await withCliContext(configFrom(options), (context) =>
        listAllWorkspaces(context.modules.workspaces.db),
      )
      report(
        options,
        {
          data: workspaces.map(({ id, name, region, createdAt }) => ({
            id,
            name,
            region,
            createdAt,
          })),
        },
        workspaces.map((item) => `${item.id}  ${item.region}  ${item.name}`).join('\n') ||
          'No workspaces yet',
      )
    },
  )
}
