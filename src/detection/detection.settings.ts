import { Type } from 'typebox'
import { defineSettingsFragment, type SettingsDocument } from '../workspaces/index.js'

const redactedByDefault = (kind: string, on: boolean) =>
  Type.Boolean({
    default: on,
    description: `Redact ${kind} from an end-user's message or a contact attribute as it is written`,
  })

/**
 * A workspace's detection policy: from which confidence a finding is flagged to
 * operators, and which kinds are redacted as they are written. One policy for every
 * place detection runs (an end-user's message, a contact's attributes), so a workspace
 * that says "no card numbers" says it once. It is stored under `inbox` in the settings
 * document, where the inbox module placed it first: the name is kept so no stored row
 * needs a migration, and the inbox's settings fragment still declares it (this module
 * only owns its shape). Cards and IBANs are redacted by default: a support chat or a CRM
 * has no use for them (PCI DSS 3.3–3.4 forbid keeping a PAN readable), and people paste
 * them all the same (data minimisation, Art. 5(1)(c); security of processing, Art. 32).
 */
export const detectionPolicySchema = Type.Object(
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
        description:
          'Kinds of sensitive data redacted from end-users’ messages and contact attributes as they are written',
      },
    ),
  },
  {
    default: {},
    additionalProperties: false,
    description:
      'Sensitive-data detection and redaction, for the inbox’s messages and contacts’ attributes',
  },
)

// Not registered as a fragment of its own (the inbox's declares the field): only read.
const reader = defineSettingsFragment('detection', { inbox: detectionPolicySchema })

export type DetectionPolicy = ReturnType<typeof readDetectionPolicy>

/** The detection policy of a workspace, from its stored settings, defaults filled in. */
export function readDetectionPolicy(settings: SettingsDocument) {
  return reader.read(settings).inbox
}
