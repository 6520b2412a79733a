import { Type } from 'typebox'
import { defineSettingsFragment, retentionPeriods, type SettingsOf } from '../workspaces/index.js'

const redactedByDefault = (kind: string, on: boolean) =>
  Type.Boolean({
    default: on,
    description: `Redact ${kind} in an end-user's message as it is written`,
  })

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
  inbox: Type.Object(
    {
      detectionThreshold: Type.Number({
        minimum: 0.2,
        maximum: 0.99,
        default: 0.5,
        description:
          'Confidence from which a sensitive-data finding is flagged to operators (and auto-redacted)',
      }),
      autoRedact: Type.Object(
        {
          card: redactedByDefault('payment card numbers', true),
          iban: redactedByDefault('IBANs', true),
          us_ssn: redactedByDefault('US social security numbers', false),
          national_id: redactedByDefault('national identity numbers', false),
          health: redactedByDefault('health hints', false),
          email: redactedByDefault('email addresses', false),
          phone: redactedByDefault('phone numbers', false),
        },
        {
          default: {},
          additionalProperties: false,
          description: 'Kinds of sensitive data redacted from end-users’ messages as they arrive',
        },
      ),
    },
    {
      default: {},
      additionalProperties: false,
      description: 'The inbox: sensitive-data detection and redaction',
    },
  ),
})

export type InboxSettings = SettingsOf<typeof inboxSettings>
