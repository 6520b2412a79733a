import { Value } from 'typebox/value'
import { AppError } from '../../errors.js'
import type { Actor, RequestContext } from '../../identity/index.js'
import type { GovernanceDeps } from '../governance.deps.js'
import { deleteExtension, selectExtensions, upsertExtension } from './data-map.repository.js'
import {
  type DataMap,
  type DataMapCategory,
  DataMapCategorySchema,
  type DataMapEntry,
} from './data-map.schema.js'

/**
 * The data map a workspace works with: the instance's categories (from the repository),
 * then the workspace's own additions, each marked with where it comes from.
 */
export async function describeDataMap(deps: GovernanceDeps, workspaceId: string): Promise<DataMap> {
  const instance: DataMapEntry[] = Object.entries(deps.dataMap.categories).map(
    ([name, category]) => ({ name, origin: 'instance', ...category }),
  )
  const own: DataMapEntry[] = (await selectExtensions(deps.db, workspaceId)).map((row) => ({
    name: row.category,
    origin: 'workspace',
    ...entryOf(row.entry, row.category),
  }))
  return {
    version: deps.dataMap.version,
    technicalMeasures: deps.dataMap.technicalMeasures,
    categories: [...instance, ...own],
  }
}

/**
 * Adds a category of the workspace's own, or replaces it. The instance's categories are
 * changed in the repository (they are the floor every workspace stands on), not here.
 */
export async function saveWorkspaceCategory(
  deps: GovernanceDeps,
  input: { workspaceId: string; name: string; entry: DataMapCategory; actor: Actor },
  context: RequestContext = {},
): Promise<DataMapEntry> {
  if (Object.hasOwn(deps.dataMap.categories, input.name)) {
    throw new AppError(
      'conflict',
      `${input.name} is a category of the instance's data map; add a category of another name`,
    )
  }
  if (
    input.entry.lawfulBases.includes('legitimate-interests') &&
    !input.entry.legitimateInterests
  ) {
    throw new AppError('invalid_request', 'Name the legitimate interests relied on (Art. 13(1)(d))')
  }
  if (input.entry.specialCategory && !input.entry.specialCategoryCondition) {
    throw new AppError('invalid_request', 'Name the Art. 9(2) condition for special category data')
  }
  const now = deps.clock.now().toISOString()
  await upsertExtension(deps.db, {
    workspace_id: input.workspaceId,
    category: input.name,
    entry: JSON.stringify(input.entry),
    created_at: now,
    updated_at: now,
  })
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'data_map.category_saved',
    outcome: 'succeeded',
    resource: { type: 'data_map_category', id: input.name },
    ...context,
  })
  return { name: input.name, origin: 'workspace', ...input.entry }
}

export async function removeWorkspaceCategory(
  deps: GovernanceDeps,
  input: { workspaceId: string; name: string; actor: Actor },
  context: RequestContext = {},
): Promise<void> {
  if ((await deleteExtension(deps.db, input.workspaceId, input.name)) === 0) {
    throw new AppError('not_found', 'The workspace has no data map category of that name')
  }
  await deps.audit.record({
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'data_map.category_removed',
    outcome: 'succeeded',
    resource: { type: 'data_map_category', id: input.name },
    ...context,
  })
}

function entryOf(json: string, name: string): DataMapCategory {
  const parsed: unknown = JSON.parse(json)
  if (!Value.Check(DataMapCategorySchema, parsed)) {
    throw new Error(`The stored data map category ${name} does not match the schema`)
  }
  return parsed
}
