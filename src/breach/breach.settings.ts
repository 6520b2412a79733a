import { Type } from 'typebox'
import { defineSettingsFragment, type SettingsOf } from '../workspaces/index.js'
import { draftLanguages } from './drafts.logic.js'

/** The breach module's part of a workspace's settings. */
export const breachSettings = defineSettingsFragment('breach', {
  breach: Type.Object(
    {
      // Art. 34(2), 12(1): the people affected are told in clear and plain language, so
      // in theirs; the authority notice is drafted in the same one.
      notificationLanguage: Type.Union(
        draftLanguages.map((language) => Type.Literal(language)),
        {
          default: 'en',
          description: 'The language the breach notice drafts are written in',
        },
      ),
    },
    { default: {}, additionalProperties: false, description: 'The breach register' },
  ),
})

export type BreachSettings = SettingsOf<typeof breachSettings>
