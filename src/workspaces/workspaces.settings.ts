import { Type } from 'typebox'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from './settings-fragment.js'

/**
 * Settings no module of their own owns yet, kept by the workspaces module until it
 * exists: the inbox module will take `retentionDays.conversations`. The stored field
 * names stay, so moving a field to its module's fragment needs no migration (the rights
 * module took `slaDays` this way).
 */
export const workspacesSettings = defineSettingsFragment('workspaces', {
  retentionDays: retentionPeriods({
    conversations: Type.Integer({ minimum: 1, maximum: 3650, default: 730 }),
  }),
})

export type WorkspacesSettings = SettingsOf<typeof workspacesSettings>
