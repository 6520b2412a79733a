import type { DataMapFile } from './data-map.schema.js'

/** The workspace settings group every module's retention periods are merged into. */
const retentionGroup = 'retentionDays'

interface IntegerBounds {
  minimum?: number
  maximum?: number
  default?: number
}

/**
 * Where the data map's stated retention bounds and the workspace settings disagree, one
 * line each; none when they agree. Storage limitation (Art. 5(1)(e)) is promised in the
 * data map, which the privacy notice and the records of processing quote; the settings
 * are what a workspace can actually choose. Both must say the same, so every period in
 * the settings' retention group must be stated by a category, and every stated bound
 * must name a setting with exactly that minimum, maximum and default.
 */
export function retentionBoundsDisagreements(
  dataMap: Pick<DataMapFile, 'categories'>,
  settingsSchema: unknown,
): string[] {
  const problems: string[] = []
  const stated = new Set<string>()
  for (const [name, category] of Object.entries(dataMap.categories)) {
    const bound = category.retentionSetting
    if (bound === undefined) continue
    stated.add(bound.setting)
    if (bound.minimumDays > bound.defaultDays || bound.defaultDays > bound.maximumDays) {
      problems.push(`${name}: its default is not within its own bounds`)
    }
    const field = settingAt(settingsSchema, bound.setting.split('.'))
    if (field === undefined) {
      problems.push(`${name}: no workspace setting ${bound.setting}`)
      continue
    }
    const pairs: Array<[string, number, number | undefined]> = [
      ['minimum', bound.minimumDays, field.minimum],
      ['maximum', bound.maximumDays, field.maximum],
      ['default', bound.defaultDays, field.default],
    ]
    for (const [what, mapSays, settingSays] of pairs) {
      if (mapSays !== settingSays) {
        problems.push(
          `${name}: the data map's ${what} for ${bound.setting} is ${mapSays} days, the setting's is ${String(settingSays)}`,
        )
      }
    }
  }
  const group = propertiesOf(settingsSchema)?.[retentionGroup]
  for (const period of Object.keys(propertiesOf(group) ?? {})) {
    const path = `${retentionGroup}.${period}`
    if (!stated.has(path)) problems.push(`no category states the bounds of ${path}`)
  }
  return problems
}

/** Stops start-up, naming the file, when the data map and the settings disagree. */
export function assertRetentionBounds(
  dataMap: Pick<DataMapFile, 'categories'>,
  settingsSchema: unknown,
  source: string,
): void {
  const problems = retentionBoundsDisagreements(dataMap, settingsSchema)
  if (problems.length > 0) {
    throw new Error(
      `The data map ${source} and the workspace settings disagree on retention: ${problems.join('; ')}`,
    )
  }
}

function settingAt(schema: unknown, path: readonly string[]): IntegerBounds | undefined {
  let current: unknown = schema
  for (const step of path) current = propertiesOf(current)?.[step]
  if (!isRecord(current) || current.type !== 'integer') return undefined
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined)
  return {
    minimum: number(current.minimum),
    maximum: number(current.maximum),
    default: number(current.default),
  }
}

function propertiesOf(schema: unknown): Record<string, unknown> | undefined {
  return isRecord(schema) && isRecord(schema.properties) ? schema.properties : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
