import { assertDataMapCovers, mappedCategoryNames } from './data-map/coverage.logic.js'
import { dataMapPath, loadDataMap } from './data-map/load-data-map.js'
import type { GovernanceDeps } from './governance.deps.js'
import { loadTranslations } from './notice/translations.js'

/**
 * Governance's dependencies, with the data map read and checked against the registry:
 * a category some module holds that the map does not declare stops the process here,
 * at start-up, with a message naming it (as an unclaimed personal table does).
 */
export function createGovernanceDeps(
  input: Omit<GovernanceDeps, 'dataMap' | 'dataMapFile' | 'translations'> & {
    dataMapFile?: string
  },
): GovernanceDeps {
  const { dataMapFile = dataMapPath, ...rest } = input
  const dataMap = loadDataMap(dataMapFile)
  assertDataMapCovers(mappedCategoryNames(dataMap.categories), rest.registry.sources, dataMapFile)
  return Object.freeze({ ...rest, dataMap, dataMapFile, translations: loadTranslations() })
}
