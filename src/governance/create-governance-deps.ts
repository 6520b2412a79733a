import type { TSchema } from 'typebox'
import { assertDataMapCovers, mappedCategoryNames } from './data-map/coverage.logic.js'
import { dataMapPath, loadDataMap } from './data-map/load-data-map.js'
import { assertRetentionBounds } from './data-map/retention-bounds.logic.js'
import type { GovernanceDeps } from './governance.deps.js'
import { loadTranslations } from './notice/translations.js'

/**
 * Governance's dependencies, with the data map read and checked against the registry:
 * a category some module holds that the map does not declare stops the process here,
 * at start-up, with a message naming it (as an unclaimed personal table does). So does
 * a retention period the workspace settings bound otherwise than the map states.
 */
export function createGovernanceDeps(
  input: Omit<GovernanceDeps, 'dataMap' | 'dataMapFile' | 'translations'> & {
    dataMapFile?: string
    /** The composed workspace settings schema, whose retention bounds the map must state. */
    workspaceSettingsSchema: TSchema
  },
): GovernanceDeps {
  const { dataMapFile = dataMapPath, workspaceSettingsSchema, ...rest } = input
  const dataMap = loadDataMap(dataMapFile)
  assertDataMapCovers(mappedCategoryNames(dataMap.categories), rest.registry.sources, dataMapFile)
  assertRetentionBounds(dataMap, workspaceSettingsSchema, dataMapFile)
  return Object.freeze({ ...rest, dataMap, dataMapFile, translations: loadTranslations() })
}
