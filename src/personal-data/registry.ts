import { type TableName, tableClassification } from './classification.js'
import type { PersonalDataSource, SealedColumns } from './personal-data.js'

/**
 * The registry: every module's personal-data source, listed once by the composition
 * root, checked against the table classification when it is made. A personal table no
 * source claims, a table claimed twice, or a source claiming a table the classification
 * calls not personal (or another module's) stops the process at start.
 */
export interface PersonalDataRegistry {
  readonly sources: readonly PersonalDataSource[]
  /** Every sealed column of every source, for re-sealing and the plaintext checks. */
  sealedColumns(): SealedColumns[]
}

export function createPersonalDataRegistry(
  sources: readonly PersonalDataSource[],
): PersonalDataRegistry {
  const claimed = new Map<string, string>()
  for (const source of sources) {
    for (const table of source.tables) {
      const previous = claimed.get(table.name)
      if (previous !== undefined) {
        throw new Error(`Table ${table.name} is claimed by both ${previous} and ${source.module}`)
      }
      const kind = classOf(table.name)
      if (kind === undefined || !kind.personal) {
        throw new Error(`${source.module} claims ${table.name}, which is not classified personal`)
      }
      if (kind.module !== source.module) {
        throw new Error(`${source.module} claims ${table.name}, which belongs to ${kind.module}`)
      }
      claimed.set(table.name, source.module)
    }
  }
  const unclaimed = (Object.keys(tableClassification) as TableName[]).filter(
    (name) => tableClassification[name].personal && !claimed.has(name),
  )
  if (unclaimed.length > 0) {
    throw new Error(`Personal tables no source claims: ${unclaimed.join(', ')}`)
  }
  const frozen = Object.freeze([...sources])
  return Object.freeze({
    sources: frozen,
    sealedColumns: () =>
      frozen.flatMap((source) =>
        source.tables.flatMap((table) =>
          table.sealed === undefined ? [] : [{ table: table.name, ...table.sealed }],
        ),
      ),
  })
}

function classOf(name: string) {
  return Object.hasOwn(tableClassification, name)
    ? tableClassification[name as TableName]
    : undefined
}
