import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TObject } from 'typebox'
import { consentSettings, type ConsentSettings } from './consent/index.js'
import { contactsSettings } from './contacts/index.js'
import { composeWorkspaceSettings } from './settings-fragments.js'
import { trackingSettings, type TrackingSettings } from './tracking/index.js'
import { inboxSettings } from './inbox/index.js'

// The settings as one file declared them before each module declared its own: the
// composition must describe, default and bound every field exactly as that file did.
// Fields added since are named here and checked by their own module's tests.

/**
 * Added by the rights module (the legal clock's calendar, `src/rights/rights.settings.ts`),
 * the inbox (detection and redaction, `src/inbox/inbox.settings.ts`) and the DRP door
 * (its business id and verification policy, `src/drp/drp.settings.ts`) and the breach
 * register (its notices' language, `src/breach/breach.settings.ts`), and the consent
 * module's proof retention (`consentProof`, `src/consent/consent.settings.ts`).
 */
const addedSince = ['country', 'timeZone', 'inbox', 'drp', 'breach', 'consentProof']

/** `WorkspaceSettingsSchema` of workspaces.logic.ts before the fragments, as JSON. */
const oldSettingsSchema = {
  type: 'object',
  required: ['slaDays', 'ageOfDigitalConsent', 'retentionDays', 'tracking'],
  properties: {
    slaDays: {
      type: 'integer',
      minimum: 1,
      maximum: 30,
      default: 7,
      description: 'Days to answer a data subject request (Art. 12(3) allows at most one month)',
    },
    ageOfDigitalConsent: {
      type: 'integer',
      minimum: 13,
      maximum: 16,
      default: 16,
      description:
        'Below this age consent needs a parent (Art. 8(1): 16, or 13\u201315 by member state)',
    },
    retentionDays: {
      type: 'object',
      required: ['events', 'conversations', 'inactiveContacts'],
      properties: {
        events: { type: 'integer', minimum: 1, maximum: 3650, default: 395 },
        conversations: { type: 'integer', minimum: 1, maximum: 3650, default: 730 },
        inactiveContacts: { type: 'integer', minimum: 1, maximum: 3650, default: 1095 },
      },
      default: {},
      additionalProperties: false,
      description:
        'How long each category of personal data is kept (storage limitation, Art. 5(1)(e))',
    },
    tracking: {
      type: 'object',
      required: ['ipStorage'],
      properties: {
        ipStorage: {
          anyOf: [
            { type: 'string', const: 'full' },
            { type: 'string', const: 'truncated' },
            { type: 'string', const: 'none' },
          ],
          default: 'truncated',
          description:
            'How a tracked event keeps the visitor IP: full (sealed), truncated to /24 (IPv4) or /48 (IPv6) (sealed), or none',
        },
      },
      default: {},
      additionalProperties: false,
      description: 'Event tracking',
    },
  },
  additionalProperties: false,
}

/** Its `WorkspaceSettingsPatchSchema`, less the defaults that made a patch reset fields. */
const oldPatchSchemaWithoutDefaults = {
  type: 'object',
  properties: {
    slaDays: {
      type: 'integer',
      minimum: 1,
      maximum: 30,
      description: 'Days to answer a data subject request (Art. 12(3) allows at most one month)',
    },
    ageOfDigitalConsent: {
      type: 'integer',
      minimum: 13,
      maximum: 16,
      description:
        'Below this age consent needs a parent (Art. 8(1): 16, or 13\u201315 by member state)',
    },
    retentionDays: {
      type: 'object',
      properties: {
        events: { type: 'integer', minimum: 1, maximum: 3650 },
        conversations: { type: 'integer', minimum: 1, maximum: 3650 },
        inactiveContacts: { type: 'integer', minimum: 1, maximum: 3650 },
      },
      additionalProperties: false,
    },
    tracking: {
      type: 'object',
      properties: {
        ipStorage: {
          anyOf: [
            { type: 'string', const: 'full' },
            { type: 'string', const: 'truncated' },
            { type: 'string', const: 'none' },
          ],
          description:
            'How a tracked event keeps the visitor IP: full (sealed), truncated to /24 (IPv4) or /48 (IPv6) (sealed), or none',
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

/** Plain JSON, `required` in name order: the order properties are listed in is no contract. */
function normalised(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
    key === 'required' && Array.isArray(value) ? value.map(String).sort() : value,
  )
}

/** The schema without the fields added since the single file, which named none of them. */
function withoutAddedFields(schema: TObject): unknown {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).filter(([name]) => !addedSince.includes(name)),
  )
  // A schema whose fields are all optional has no `required`, whatever its type says.
  const listed: unknown = schema.required
  if (!Array.isArray(listed)) return normalised({ ...schema, properties })
  const required = listed.filter((name) => !addedSince.includes(String(name)))
  return normalised({ ...schema, properties, required })
}

test('the composed schema is the one the single settings file declared, field for field', () => {
  const composed = composeWorkspaceSettings()
  assert.deepEqual(withoutAddedFields(composed.schema), normalised(oldSettingsSchema))
  for (const name of addedSince) assert.ok(composed.schema.required.includes(name), name)
})

test('the composed patch is the old patch without its defaults', () => {
  const composed = composeWorkspaceSettings()
  assert.deepEqual(
    withoutAddedFields(composed.patchSchema),
    normalised(oldPatchSchemaWithoutDefaults),
  )
  for (const name of addedSince) assert.ok(name in composed.patchSchema.properties, name)
})

test('a new workspace gets the defaults it always got, and those of the fields added since', () => {
  assert.deepEqual(composeWorkspaceSettings().defaults(), {
    slaDays: 7,
    ageOfDigitalConsent: 16,
    retentionDays: { events: 395, conversations: 730, inactiveContacts: 1095 },
    tracking: { ipStorage: 'truncated' },
    country: null,
    timeZone: 'UTC',
    inbox: {
      detectionThreshold: 0.5,
      autoRedact: {
        card: true,
        iban: true,
        us_ssn: false,
        national_id: false,
        health: false,
        email: false,
        phone: false,
      },
    },
    drp: { acceptAgentVerification: false, businessId: null },
    breach: { notificationLanguage: 'en' },
    consentProof: { limitationDays: 1095 },
  })
})

test('each module reads only its own fields, defaults filled in for an old row', () => {
  const oldRow = { slaDays: 5, retentionDays: { conversations: 9 } }
  const consent: ConsentSettings = consentSettings.read(oldRow)
  const tracking: TrackingSettings = trackingSettings.read(oldRow)
  assert.deepEqual(consent, { ageOfDigitalConsent: 16, consentProof: { limitationDays: 1095 } })
  assert.deepEqual(tracking, {
    tracking: { ipStorage: 'truncated' },
    retentionDays: { events: 395 },
  })
  assert.deepEqual(contactsSettings.read(oldRow), { retentionDays: { inactiveContacts: 1095 } })
  // slaDays moved to the rights module under the same stored name (its own test reads it),
  // retentionDays.conversations to the inbox.
  assert.deepEqual(inboxSettings.read(oldRow).retentionDays, { conversations: 9 })
  assert.equal(composeWorkspaceSettings().read(oldRow).slaDays, 5)
})
