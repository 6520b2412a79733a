import { Type } from 'typebox'
import { defineSettingsFragment, type SettingsOf } from '../workspaces/index.js'

/**
 * The Data Rights Protocol door's part of a workspace's settings, in one group `drp`:
 * the name agents address the workspace by, and whether an agent's word that it
 * verified the person's email is enough.
 */
export const drpSettings = defineSettingsFragment('drp', {
  drp: Type.Object(
    {
      // Art. 12(6): the controller decides how sure it must be of a requester's identity.
      // An agent's claim is evidence; by default the person still confirms by the code
      // mailed to them, and a workspace that trusts its registered agents' checks says so.
      acceptAgentVerification: Type.Boolean({
        default: false,
        description:
          "Whether an authorised agent's email_verified claim confirms the requester's identity; otherwise the person confirms by the mailed code",
      }),
      businessId: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }), Type.Null()], {
        default: null,
        description:
          "The business-id agents send in signed requests (the workspace's entry in the DRP directory); null: the workspace id",
      }),
    },
    {
      default: {},
      additionalProperties: false,
      description: 'The Data Rights Protocol door (authorised agents)',
    },
  ),
})

export type DrpSettings = SettingsOf<typeof drpSettings>

/** The business id a workspace answers to in signed requests. */
export function businessIdOf(workspaceId: string, settings: DrpSettings): string {
  return settings.drp.businessId ?? workspaceId
}
