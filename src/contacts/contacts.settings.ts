import { Type } from 'typebox'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from '../workspaces/index.js'

/** The contacts module's part of a workspace's settings. */
export const contactsSettings = defineSettingsFragment('contacts', {
  // Storage limitation (Art. 5(1)(e)): how long a contact with no activity is kept,
  // three years by default.
  retentionDays: retentionPeriods({
    inactiveContacts: Type.Integer({ minimum: 1, maximum: 3650, default: 1095 }),
  }),
})

export type ContactsSettings = SettingsOf<typeof contactsSettings>
