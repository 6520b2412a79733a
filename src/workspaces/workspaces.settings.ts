import { Type } from 'typebox'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from './settings-fragment.js'

/**
 * Settings no module of their own owns yet, kept by the workspaces module until it
 * exists. The rights module will take `slaDays` (its request clock reads it) and the
 * inbox module `retentionDays.conversations`; the stored field names stay, so moving a
 * field to its module's fragment needs no migration.
 */
export const workspacesSettings = defineSettingsFragment('workspaces', {
  // The seed statements promise an answer to every data subject request within one
  // week, well inside the month Art. 12(3) allows.
  slaDays: Type.Integer({
    minimum: 1,
    maximum: 30,
    default: 7,
    description: 'Days to answer a data subject request (Art. 12(3) allows at most one month)',
  }),
  retentionDays: retentionPeriods({
    conversations: Type.Integer({ minimum: 1, maximum: 3650, default: 730 }),
  }),
})

export type WorkspacesSettings = SettingsOf<typeof workspacesSettings>
