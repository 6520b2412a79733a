import type { PersonalDataSource } from '../../personal-data/index.js'

/** A gap between what the code holds and what the data map declares. */
export interface UnmappedData {
  readonly module: string
  readonly table: string
  /** The category missing from the map; null for a table that declares no category at all. */
  readonly category: string | null
}

/**
 * Every category a registered personal-data source declares must be in the data map,
 * and every personal table must reach at least one category: the records of processing
 * (Art. 30) and the privacy notice (Art. 13) are made from the map, so data the map
 * does not name would be held without ever being declared.
 */
export function findUnmappedData(
  mapped: ReadonlySet<string>,
  sources: readonly PersonalDataSource[],
): UnmappedData[] {
  const gaps: UnmappedData[] = []
  for (const source of sources) {
    for (const table of source.tables) {
      if (table.categories.length === 0) {
        gaps.push({ module: source.module, table: table.name, category: null })
      }
      for (const category of table.categories) {
        if (!mapped.has(category)) gaps.push({ module: source.module, table: table.name, category })
      }
    }
  }
  return gaps
}

export function describeUnmapped(gaps: readonly UnmappedData[], mapFile: string): string {
  const lines = gaps.map((gap) =>
    gap.category === null
      ? `table ${gap.table} (${gap.module}) declares no data category`
      : `category ${gap.category} of table ${gap.table} (${gap.module}) is not in the data map`,
  )
  return `The data map ${mapFile} does not cover the personal data the code holds: ${lines.join('; ')}. Add the category to the map (with its purposes, lawful bases, retention and recipients) before starting.`
}

/**
 * The names the map answers to: each category's own and its aliases (the code's
 * `conversations` are the statements' `messages`).
 */
export function mappedCategoryNames(categories: {
  readonly [name: string]: { readonly aliases?: readonly string[] | undefined }
}): Set<string> {
  return new Set(
    Object.entries(categories).flatMap(([name, category]) => [name, ...(category.aliases ?? [])]),
  )
}

/** Stops start-up when the map misses anything a source declares, naming it. */
export function assertDataMapCovers(
  mapped: ReadonlySet<string>,
  sources: readonly PersonalDataSource[],
  mapFile: string,
): void {
  const gaps = findUnmappedData(mapped, sources)
  if (gaps.length > 0) throw new Error(describeUnmapped(gaps, mapFile))
}
