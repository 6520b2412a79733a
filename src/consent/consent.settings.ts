import { Type } from 'typebox'
import { defineSettingsFragment, type SettingsOf } from '../workspaces/index.js'

/** The consent module's part of a workspace's settings. */
export const consentSettings = defineSettingsFragment('consent', {
  // Art. 8(1): below 16 a child's consent needs a parent's; member states may lower the
  // age to 13, so a workspace sets the age of the country it serves.
  ageOfDigitalConsent: Type.Integer({
    minimum: 13,
    maximum: 16,
    default: 16,
    description: 'Below this age consent needs a parent (Art. 8(1): 16, or 13–15 by member state)',
  }),
})

export type ConsentSettings = SettingsOf<typeof consentSettings>
