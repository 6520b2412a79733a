import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Compile } from 'typebox/compile'
import { parse } from 'yaml'
import { type DataMapFile, DataMapFileSchema } from './data-map.schema.js'

/**
 * The instance's data map: `src/governance/data-map.yaml`, versioned with the code. The
 * compiled build reads the same file (from `dist/governance/data-map/` three folders up
 * is the package root, as from `src/governance/data-map/`), so there is one copy.
 */
export const dataMapPath = fileURLToPath(
  new URL('../../../src/governance/data-map.yaml', import.meta.url),
)

const validator = Compile(DataMapFileSchema)

/** Parses and checks a data map; the error names the file and the first bad field. */
export function parseDataMap(text: string, source = dataMapPath): DataMapFile {
  let parsed: unknown
  try {
    parsed = parse(text)
  } catch (error) {
    throw new Error(`The data map ${source} is not YAML: ${(error as Error).message}`)
  }
  if (!validator.Check(parsed)) {
    const first = [...validator.Errors(parsed)][0]
    throw new Error(
      `The data map ${source} is not valid at ${first?.instancePath || '/'}: ${first?.message ?? ''}`,
    )
  }
  for (const [name, category] of Object.entries(parsed.categories)) {
    // Art. 13(1)(d): the legitimate interests must be stated where they are a basis.
    if (category.lawfulBases.includes('legitimate-interests') && !category.legitimateInterests) {
      throw new Error(
        `The data map ${source}: ${name} rests on legitimate interests but names none`,
      )
    }
    if (category.specialCategory && !category.specialCategoryCondition) {
      throw new Error(
        `The data map ${source}: ${name} is special category data without an Art. 9(2) condition`,
      )
    }
  }
  return parsed
}

/** The instance's data map, read and checked: at start-up, once per composition. */
export function loadDataMap(path = dataMapPath): DataMapFile {
  return parseDataMap(readFileSync(path, 'utf8'), path)
}
