import type { Database } from '../storage/index.js'
import type { IdentityDeps } from './identity.deps.js'
import type { OperatorsTable } from './identity.table.js'

/**
 * The operator accounts a sign-in may be for, found by blind indexes only: nothing is
 * opened, so a look-up costs the same whoever the email belongs to.
 *
 * By `email_lookup` (the instance-wide index) in every workspace, or in the one named.
 * Operators made before that column existed have none until they next sign in: they
 * are found by their workspace's own index, computed for each workspace that still has
 * such operators. That set does not depend on the email asked for, so neither does the
 * work, and it empties itself as those operators sign in.
 */
export async function findSignInCandidates(
  deps: Pick<IdentityDeps, 'db' | 'keyring'>,
  input: { email: string; workspaceId?: string | undefined },
  emailLookup: Buffer,
): Promise<OperatorsTable[]> {
  let query = deps.db.selectFrom('operators').selectAll().where('email_lookup', '=', emailLookup)
  if (input.workspaceId !== undefined) query = query.where('workspace_id', '=', input.workspaceId)
  const indexed = await query.execute()
  const legacy = await findUnindexedOperators(deps, input)
  return [...indexed, ...legacy].sort(oldestFirst)
}

async function findUnindexedOperators(
  deps: Pick<IdentityDeps, 'db' | 'keyring'>,
  input: { email: string; workspaceId?: string | undefined },
): Promise<OperatorsTable[]> {
  let workspacesQuery = deps.db
    .selectFrom('operators')
    .select('workspace_id')
    .distinct()
    .where('email_lookup', 'is', null)
  if (input.workspaceId !== undefined) {
    workspacesQuery = workspacesQuery.where('workspace_id', '=', input.workspaceId)
  }
  const workspaceIds = (await workspacesQuery.execute()).map((row) => row.workspace_id)
  if (workspaceIds.length === 0) return []
  const pairs = await Promise.all(
    workspaceIds.map(async (workspaceId) => ({
      workspaceId,
      emailIndex: await deps.keyring.blindIndex(workspaceId, 'email', input.email),
    })),
  )
  return deps.db
    .selectFrom('operators')
    .selectAll()
    .where('email_lookup', 'is', null)
    .where((eb) =>
      eb.or(
        pairs.map((pair) =>
          eb.and([
            eb('workspace_id', '=', pair.workspaceId),
            eb('email_index', '=', pair.emailIndex),
          ]),
        ),
      ),
    )
    .execute()
}

/** Whether the account can be signed in to at all: a password set, not disabled. */
export function isUsable(
  row: OperatorsTable,
): row is OperatorsTable & { password_hash: string; disabled_at: null } {
  return row.password_hash !== null && row.disabled_at === null
}

/** Gives an operator found through their workspace's index the instance-wide one too. */
export async function fillEmailLookup(
  db: Database,
  row: OperatorsTable,
  emailLookup: Buffer,
): Promise<void> {
  if (row.email_lookup !== null) return
  await db
    .updateTable('operators')
    .set({ email_lookup: emailLookup })
    .where('workspace_id', '=', row.workspace_id)
    .where('id', '=', row.id)
    .where('email_lookup', 'is', null)
    .execute()
}

function oldestFirst(a: OperatorsTable, b: OperatorsTable): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
