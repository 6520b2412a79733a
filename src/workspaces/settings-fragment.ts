import { type Static, type TObject, type TProperties, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

/**
 * A workspace's settings as one JSON object, as stored and as `GET /v1/workspace` shows
 * them: every module's fields side by side. Opaque on purpose: a module reads its own
 * part through its fragment (`trackingSettings.read(workspace.settings)`), never another
 * module's fields.
 */
export type SettingsDocument = Readonly<Record<string, unknown>>

/**
 * One module's part of the settings: the fields it owns and reads, each with its bounds,
 * default and description, declared in the module's own `<module>.settings.ts`. The
 * composition root joins the fragments into the workspace's settings (see
 * `composeSettings`).
 */
export interface SettingsFragment<Properties extends TProperties = TProperties> {
  /** The module that owns the fields, named in composition errors. */
  readonly module: string
  /** The fields as they sit in the settings document, refusing keys it does not declare. */
  readonly schema: TObject<Properties>
  /**
   * The module's own settings from a stored document: its fields, with the default of
   * any a newer version added (an old row reads whole), and nothing of other modules.
   */
  read(stored: SettingsDocument): Static<TObject<Properties>>
}

/** The type a module reads its settings with: `SettingsOf<typeof consentSettings>`. */
export type SettingsOf<Fragment extends SettingsFragment> = ReturnType<Fragment['read']>

/**
 * The one settings group several modules add to: how long each category of personal
 * data is kept, in days, under `retentionDays`. Each module names its own categories
 * (`retentionPeriods({ events: … })`); the composition merges them into one object.
 */
export const retentionGroup = 'retentionDays'

export function retentionPeriods<Periods extends TProperties>(periods: Periods): TObject<Periods> {
  return Type.Object(periods, {
    default: {},
    additionalProperties: false,
    description:
      'How long each category of personal data is kept (storage limitation, Art. 5(1)(e))',
  })
}

/** Declares a module's settings fragment from its fields. */
export function defineSettingsFragment<Properties extends TProperties>(
  module: string,
  properties: Properties,
): SettingsFragment<Properties> {
  const schema = Type.Object(properties, { additionalProperties: false })
  return Object.freeze({ module, schema, read: settingsReader(schema) })
}

/**
 * Reads the fields `schema` declares from a stored document, filling in the default of
 * any missing. Other fields are left out first, so another module's field never fails
 * this read. Every request reads its settings, so an up-to-date row costs one compiled
 * check; only a row missing a field pays for the defaults.
 */
export function settingsReader<Properties extends TProperties>(
  schema: TObject<Properties>,
): (stored: SettingsDocument) => Static<TObject<Properties>> {
  const validator = Compile(schema)
  return (stored) => {
    const declared = declaredFields(schema, stored)
    if (validator.Check(declared)) return declared
    return validator.Parse(Value.Default(schema, Value.Clone(declared)))
  }
}

/** A copy of what `schema` declares in `document`, object by object; the rest is left out. */
function declaredFields(schema: TObject, document: SettingsDocument): Record<string, unknown> {
  const declared: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(schema.properties)) {
    if (!Object.hasOwn(document, name)) continue
    const value = document[name]
    declared[name] =
      Type.IsObject(field) && isSettingsDocument(value) ? declaredFields(field, value) : value
  }
  return declared
}

/** A stored settings column, parsed: anything but a JSON object is a corrupt row. */
export function settingsDocumentFrom(json: string): SettingsDocument {
  const parsed: unknown = JSON.parse(json)
  if (!isSettingsDocument(parsed)) throw new Error('Stored workspace settings are not an object')
  return parsed
}

export function isSettingsDocument(value: unknown): value is SettingsDocument {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
