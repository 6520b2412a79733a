import { Type } from 'typebox'
import { detectionPolicySchema } from '../detection/index.js'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from '../workspaces/index.js'

/**
 * The inbox's part of a workspace's settings. `retentionDays.conversations` was kept by
 * the workspaces module until this one existed; its stored name is unchanged, so no
 * stored row needs a migration. Cards and IBANs are redacted from end-users' messages
 * by default: a support chat has no use for them (PCI DSS 3.3–3.4 forbid keeping a PAN
 * readable), and people paste them all the same.
 */
export const inboxSettings = defineSettingsFragment('inbox', {
  retentionDays: retentionPeriods({
    conversations: Type.Integer({ minimum: 1, maximum: 3650, default: 730 }),
  }),
  // The workspace's detection policy, shaped by the detection module (it serves the
  // contacts' attributes too); declared here, under its stored name.
  inbox: detectionPolicySchema,
})

export type InboxSettings = SettingsOf<typeof inboxSettings>
