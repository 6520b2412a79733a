import { Type } from 'typebox'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from '../workspaces/index.js'

/** The tracking module's part of a workspace's settings. */
export const trackingSettings = defineSettingsFragment('tracking', {
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
  // Storage limitation (Art. 5(1)(e)): how long events are kept, about thirteen months
  // by default; ingest already refuses an event older than this.
  retentionDays: retentionPeriods({
    events: Type.Integer({ minimum: 1, maximum: 3650, default: 395 }),
  }),
})

export type TrackingSettings = SettingsOf<typeof trackingSettings>
