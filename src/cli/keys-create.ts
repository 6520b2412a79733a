import type { Command } from 'commander'
import { AppError } from '../errors.js'
import type { ApiKeyKind } from '../identity/index.js'
import { issueApiKey } from '../identity/index.js'
import { withCliContext } from './context.js'
import { addCommonOptions, type CommonOptions, configFrom, report } from './options.js'

interface CreateKeyOptions extends CommonOptions {
  workspace: string
  kind: string
  name?: string
}

// The names `workspace create` gives a workspace's first pair of keys.
const defaultNames: Record<ApiKeyKind, string> = { secret: 'Server', public: 'Browser SDK' }

function isKind(value: string): value is ApiKeyKind {
  return value === 'secret' || value === 'public'
}

/**
 * `custodian keys create`: a new API key for a workspace, for the platform admin when
 * its keys were lost or leaked and nobody can sign in to make one (revoke the old key
 * through `DELETE /v1/api-keys/{id}` with the new one). The key is printed this once
 * and stored only as a hash.
 *
 * @example
 *   npx custodian keys create --workspace 0193… --kind secret --name "Billing server" --json
 *   # {"id":"0193…","workspaceId":"0193…","kind":"secret","label":"Billing server","key":"cus_sk_…",…}
 */
export function registerKeysCreateCommand(keys: Command): void {
  addCommonOptions(
    keys
      .command('create')
      .description('create an API key for a workspace (the key is shown once)')
      .requiredOption('--workspace <id>', 'the workspace id')
      .requiredOption('--kind <kind>', 'secret (servers) or public (browser SDK)')
      .option('--name <name>', 'a name to tell the key apart (default: Server or Browser SDK)'),
  ).action(async (options: CreateKeyOptions) => {
    const kind = options.kind
    if (!isKind(kind)) throw new AppError('invalid_request', '--kind must be secret or public')
    const created = await withCliContext(configFrom(options), (context) =>
      issueApiKey(context.modules.identity, {
        workspaceId: options.workspace,
        kind,
        label: options.name ?? defaultNames[kind],
        actor: context.actor,
      }),
    )
    const use = kind === 'secret' ? 'servers; shown once, store it now' : 'browser SDK'
    report(
      options,
      {
        id: created.id,
        workspaceId: options.workspace,
        kind: created.kind,
        label: created.label,
        prefix: created.prefix,
        key: created.key,
        createdAt: created.createdAt,
      },
      `Key ${created.id} "${created.label}" (${kind}) for workspace ${options.workspace}\n${kind === 'secret' ? 'Secret' : 'Public'} key (${use}): ${created.key}`,
    )
  })
}
