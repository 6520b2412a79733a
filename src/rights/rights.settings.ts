import { Type } from 'typebox'
import { timeZoneSchema } from '../http/index.js'
import { defineSettingsFragment, type SettingsOf } from '../workspaces/index.js'
import { holidayCountries } from './holidays.js'

/**
 * The rights module's part of a workspace's settings: the clocks of data subject
 * requests. `slaDays` was kept by the workspaces module until this one existed; its
 * stored name is unchanged, so no stored row needed a migration.
 */
export const rightsSettings = defineSettingsFragment('rights', {
  // The seed statements promise an answer to every data subject request within one
  // week, well inside the month Art. 12(3) allows.
  slaDays: Type.Integer({
    minimum: 1,
    maximum: 30,
    default: 7,
    description: 'Days to answer a data subject request (Art. 12(3) allows at most one month)',
  }),
  // The legal month ends on a working day of the member state where the controller is
  // established (Regulation 1182/71 Art. 2(1), 3(4)). No default country: Custodian
  // cannot know it, and a guessed country's holidays could put the deadline after the
  // real one. Until it is set only Saturdays and Sundays move the deadline, which is
  // never later than the law allows, at worst a holiday early.
  country: Type.Union([Type.Enum([...holidayCountries]), Type.Null()], {
    default: null,
    description:
      "ISO 3166-1 alpha-2 code of the controller's establishment, whose public holidays move the legal deadline to the next working day; null counts only Saturdays and Sundays",
  }),
  // The days of the legal clock are the controller's local days. UTC until set, as
  // every instant in the API is: a guessed zone is wrong for most of the world.
  timeZone: timeZoneSchema({
    default: 'UTC',
    description:
      'IANA time zone the dates of the legal clock are taken in (a request received at 23:30 UTC is received the next day in Europe/Berlin)',
  }),
})

export type RightsSettings = SettingsOf<typeof rightsSettings>
