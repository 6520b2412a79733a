import { type TObject, type TProperties, type TSchema, Type } from 'typebox'
import { Value } from 'typebox/value'
import { AppError } from '../errors.js'
import {
  isSettingsDocument,
  retentionGroup,
  retentionPeriods,
  type SettingsDocument,
  type SettingsFragment,
  settingsReader,
} from './settings-fragment.js'

/**
 * A workspace's settings made of every module's fragment. One schema drives the
 * response of `GET /v1/workspace` and its OpenAPI description, the body `PATCH` takes,
 * and the defaults an old stored row is read with.
 */
export interface ComposedSettings {
  /** The modules whose fragments were joined, in the order given. */
  readonly modules: readonly string[]
  /** The whole settings document: every field required, unknown keys refused. */
  readonly schema: TObject
  /**
   * What a change names: every field optional at every level, unknown keys refused, and
   * no defaults, since the validator fills in defaults and a field left out of a patch
   * must keep its value rather than be reset.
   */
  readonly patchSchema: TObject
  /** The settings of a new workspace. */
  defaults(): SettingsDocument
  /**
   * A stored document with the default of every field a newer version added; a field no
   * fragment declares any more is dropped (it goes from storage at the next change).
   */
  read(stored: SettingsDocument): SettingsDocument
  /** The settings after a change: what the patch names replaced, groups merged field by field. */
  applyPatch(current: SettingsDocument, patch: SettingsDocument): SettingsDocument
}

/**
 * Joins the fragments into one settings document. A field two modules both declare is
 * refused here, at start-up, rather than one silently shadowing the other; the one
 * shared group, `retentionDays`, is merged from each module's periods, and a period two
 * modules both declare is refused the same way.
 */
export function composeSettings(fragments: readonly SettingsFragment[]): ComposedSettings {
  const schema = Type.Object(joinedProperties(fragments), { additionalProperties: false })
  const patchSchema = Type.Object(patchProperties(schema.properties), {
    additionalProperties: false,
  })
  const read: (stored: SettingsDocument) => SettingsDocument = settingsReader(schema)
  return Object.freeze({
    modules: Object.freeze(fragments.map((fragment) => fragment.module)),
    schema,
    patchSchema,
    defaults: () => read({}),
    read,
    applyPatch: (current: SettingsDocument, patch: SettingsDocument) => {
      if (!Value.Check(patchSchema, patch)) {
        throw new AppError('invalid_request', 'The settings change is not valid')
      }
      return read(merged(schema, current, patch))
    },
  })
}

function joinedProperties(fragments: readonly SettingsFragment[]): TProperties {
  const owners = new Map<string, string>()
  const claim = (name: string, module: string) => {
    const owner = owners.get(name)
    if (owner !== undefined) {
      throw new Error(`Workspace setting ${name} is declared by both ${owner} and ${module}`)
    }
    owners.set(name, module)
  }
  const modules = new Set<string>()
  const properties: Record<string, TSchema> = {}
  const periods: Record<string, TSchema> = {}
  for (const fragment of fragments) {
    if (modules.has(fragment.module)) {
      throw new Error(`The settings of ${fragment.module} are listed twice`)
    }
    modules.add(fragment.module)
    for (const [name, field] of Object.entries(fragment.schema.properties)) {
      if (name !== retentionGroup) {
        claim(name, fragment.module)
        properties[name] = field
        continue
      }
      if (!Type.IsObject(field)) {
        throw new Error(`${fragment.module}'s ${retentionGroup} must be made by retentionPeriods`)
      }
      for (const [period, days] of Object.entries(field.properties)) {
        claim(`${retentionGroup}.${period}`, fragment.module)
        periods[period] = days
      }
      // The group sits where a module first declares it; its periods come from them all.
      properties[retentionGroup] = field
    }
  }
  if (retentionGroup in properties) properties[retentionGroup] = retentionPeriods(periods)
  return properties
}

function patchProperties(properties: TProperties): TProperties {
  return Object.fromEntries(
    Object.entries(properties).map(([name, field]) => [name, Type.Optional(patchOf(field))]),
  )
}

function patchOf(field: TSchema): TSchema {
  if (Type.IsObject(field)) {
    return Type.Object(patchProperties(field.properties), { additionalProperties: false })
  }
  const withoutDefault: Record<string, unknown> = { ...field }
  delete withoutDefault.default
  return withoutDefault
}

/** The patch laid over the current value: objects field by field, anything else replaced. */
function merged(field: TSchema, current: unknown, patch: unknown): SettingsDocument {
  if (!Type.IsObject(field) || !isSettingsDocument(patch)) {
    throw new Error('unreachable: a settings patch is an object')
  }
  const result: Record<string, unknown> = isSettingsDocument(current) ? { ...current } : {}
  for (const [name, value] of Object.entries(patch)) {
    const inner = field.properties[name]
    result[name] =
      inner !== undefined && Type.IsObject(inner) ? merged(inner, result[name], value) : value
  }
  return result
}
