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
  // Art. 7(1), 17(3)(e): the proof of a consent is kept while it lasts, then for the
  // limitation period of claims (three years by default, the common civil-law period).
  consentProof: Type.Object(
    {
      limitationDays: Type.Integer({
        minimum: 365,
        maximum: 3650,
        default: 1095,
        description:
          'Days the proof of a withdrawn or refused consent is kept after the withdrawal',
      }),
    },
    { default: {}, additionalProperties: false, description: 'Consent proof retention' },
  ),
})

export type ConsentSettings = SettingsOf<typeof consentSettings>
