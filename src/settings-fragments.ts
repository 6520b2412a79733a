import { breachSettings } from './breach/index.js'
import { consentSettings } from './consent/index.js'
import { contactsSettings } from './contacts/index.js'
import { inboxSettings } from './inbox/index.js'
import { drpSettings } from './drp/index.js'
import { rightsSettings } from './rights/index.js'
import { trackingSettings } from './tracking/index.js'
import { type ComposedSettings, composeSettings } from './workspaces/index.js'

/**
 * Every module's part of a workspace's settings, listed once, as the personal-data
 * sources are: each fragment lives in its module's `<module>.settings.ts`, and a new
 * module with settings adds one line here. The workspaces module composes them and
 * knows none of them.
 */
const settingsFragments = [
  consentSettings,
  contactsSettings,
  trackingSettings,
  rightsSettings,
  inboxSettings,
  drpSettings,
  breachSettings,
]

/** The workspace settings of this instance: one schema for the API, storage and defaults. */
export function composeWorkspaceSettings(): ComposedSettings {
  return composeSettings(settingsFragments)
}
