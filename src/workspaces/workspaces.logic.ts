import { type Static, Type } from 'typebox'
import { Value } from 'typebox/value'

/**
 * A workspace's own rules. Defaults follow the promises in the seed statements: answer
 * data subject requests within one week (the GDPR allows one month, Art. 12(3)), and
 * treat anyone under 16 as a child for consent (Art. 8(1); member states may lower it
 * to 13).
 */
export const WorkspaceSettingsSchema = Type.Object(
  {
    slaDays: Type.Integer({
      minimum: 1,
      maximum: 30,
      default: 7,
      description: 'Days to answer a data subject request (Art. 12(3) allows at most one month)',
    }),
    ageOfDigitalConsent: Type.Integer({
      minimum: 13,
      maximum: 16,
      default: 16,
      description:
        'Below this age consent needs a parent (Art. 8(1): 16, or 13–15 by member state)',
    }),
    retentionDays: Type.Object(
      {
        events: Type.Integer({ minimum: 1, maximum: 3650, default: 395 }),
        conversations: Type.Integer({ minimum: 1, maximum: 3650, default: 730 }),
        inactiveContacts: Type.Integer({ minimum: 1, maximum: 3650, default: 1095 }),
      },
      {
        default: {},
        additionalProperties: false,
        description:
          'How long each category of personal data is kept (storage limitation, Art. 5(1)(e))',
      },
    ),
    tracking: Type.Object(
      {
        // Data minimisation by default (Art. 5(1)(c), 25(2)): the network part of an
        // address is enough for most analytics; `full` keeps it whole (sealed), `none`
        // keeps nothing. Country and city are looked up from the full address before
        // it is cut, in memory, either way.
        ipStorage: Type.Union(
          [Type.Literal('full'), Type.Literal('truncated'), Type.Literal('none')],
          {
            default: 'truncated',
            description:
              'How a tracked event keeps the visitor IP: full (sealed), truncated to /24 (IPv4) or /48 (IPv6) (sealed), or none',
          },
        ),
      },
      { default: {}, additionalProperties: false, description: 'Event tracking' },
    ),
  },
  { additionalProperties: false },
)

export type WorkspaceSettings = Static<typeof WorkspaceSettingsSchema>

export const WorkspaceSettingsPatchSchema = Type.Object(
  {
    slaDays: Type.Optional(WorkspaceSettingsSchema.properties.slaDays),
    ageOfDigitalConsent: Type.Optional(WorkspaceSettingsSchema.properties.ageOfDigitalConsent),
    retentionDays: Type.Optional(
      Type.Partial(WorkspaceSettingsSchema.properties.retentionDays, {
        additionalProperties: false,
      }),
    ),
    tracking: Type.Optional(
      Type.Partial(WorkspaceSettingsSchema.properties.tracking, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
)

export type WorkspaceSettingsPatch = Static<typeof WorkspaceSettingsPatchSchema>

/** Settings as stored, with defaults for anything a newer version added. */
export function settingsFrom(stored: unknown): WorkspaceSettings {
  const withDefaults = Value.Default(WorkspaceSettingsSchema, structuredClone(stored ?? {}))
  return Value.Parse(WorkspaceSettingsSchema, withDefaults)
}

export function applySettingsPatch(
  current: WorkspaceSettings,
  patch: WorkspaceSettingsPatch,
): WorkspaceSettings {
  return settingsFrom({
    ...current,
    ...patch,
    retentionDays: { ...current.retentionDays, ...patch.retentionDays },
    tracking: { ...current.tracking, ...patch.tracking },
  })
}

export const defaultSettings = (): WorkspaceSettings => settingsFrom({})
