import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { consentSettings } from '../consent/index.js'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { trackingSettings } from '../tracking/index.js'
import { sampleController } from './testing/controller.js'
import { getWorkspace } from './workspaces.service.js'

const defaults = {
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
}

for (const dialect of testDialects) {
  describe(`workspace settings over the API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp

    before(async () => {
      harness = await buildTestApp({ dialect })
    })
    after(async () => harness.close())

    const settingsOf = async (tenant: TenantFixture): Promise<unknown> => {
      const response = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().settings
    }
    const patch = (tenant: TenantFixture, payload: Record<string, unknown>) =>
      harness.app.inject({
        method: 'PATCH',
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
        payload,
      })
    const storeRaw = async (tenant: TenantFixture, settings: string) => {
      await harness.storage.db
        .updateTable('workspaces')
        .set({ settings })
        .where('id', '=', tenant.workspaceId)
        .execute()
    }
    const storedOf = async (tenant: TenantFixture): Promise<unknown> => {
      const row = await harness.storage.db
        .selectFrom('workspaces')
        .select('settings')
        .where('id', '=', tenant.workspaceId)
        .executeTakeFirstOrThrow()
      return JSON.parse(row.settings)
    }

    test('a new workspace shows every module’s setting with its default', async () => {
      const tenant = await createTenant(harness, 'Defaults Ltd')
      assert.deepEqual(await settingsOf(tenant), defaults)
      assert.deepEqual(await storedOf(tenant), defaults)
    })

    test('a change keeps every field it does not name, at the top and inside groups', async () => {
      const tenant = await createTenant(harness, 'Partial Ltd')
      const first = await patch(tenant, {
        settings: {
          ageOfDigitalConsent: 13,
          retentionDays: { conversations: 10 },
          tracking: { ipStorage: 'full' },
        },
      })
      assert.equal(first.statusCode, 200, first.body)
      const second = await patch(tenant, {
        settings: { slaDays: 5, retentionDays: { events: 30 } },
      })
      assert.equal(second.statusCode, 200, second.body)
      const expected = {
        ...defaults,
        slaDays: 5,
        ageOfDigitalConsent: 13,
        retentionDays: { events: 30, conversations: 10, inactiveContacts: 1095 },
        tracking: { ipStorage: 'full' },
      }
      assert.deepEqual(second.json().settings, expected)
      assert.deepEqual(await settingsOf(tenant), expected)
      const renamed = await patch(tenant, { name: 'Partial Group', settings: {} })
      assert.equal(renamed.statusCode, 200, renamed.body)
      assert.deepEqual(await storedOf(tenant), expected)
      // The audit entry names what the change named, not what a validator filled in.
      const audit = await harness.app.inject({
        url: '/v1/audit?action=workspace.settings_changed&limit=10',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(audit.statusCode, 200, audit.body)
      const fields = audit
        .json()
        .data.map((entry: { details: { fields: string } }) => entry.details.fields)
        .sort()
      assert.deepEqual(fields, [
        'ageOfDigitalConsent,retentionDays,tracking',
        'name',
        'slaDays,retentionDays',
      ])
    })

    test('unknown fields and bad values are refused field by field, and nothing changes', async () => {
      const tenant = await createTenant(harness, 'Strict Ltd')
      const response = await patch(tenant, {
        settings: {
          slaDays: 31,
          ageOfDigitalConsent: 12,
          currency: 'EUR',
          retentionDays: { events: 0, conversations: 'long', forever: 1 },
          tracking: { ipStorage: 'hashed', cookies: true },
        },
      })
      assert.equal(response.statusCode, 400, response.body)
      const problem = response.json()
      assert.equal(problem.code, 'invalid_request')
      const fields = new Set(problem.errors.map((error: { field: string }) => error.field))
      assert.deepEqual([...fields].sort(), [
        'settings.ageOfDigitalConsent',
        'settings.currency',
        'settings.retentionDays.conversations',
        'settings.retentionDays.events',
        'settings.retentionDays.forever',
        'settings.slaDays',
        'settings.tracking.cookies',
        'settings.tracking.ipStorage',
      ])
      assert.doesNotMatch(response.body, /hashed|long|EUR/)
      assert.deepEqual(await settingsOf(tenant), defaults)
    })

    test('the legal clock’s country and time zone are checked, and null clears the country', async () => {
      const tenant = await createTenant(harness, 'Calendar Ltd')
      const refused = await patch(tenant, {
        settings: { country: 'XX', timeZone: 'Mars/Olympus' },
      })
      assert.equal(refused.statusCode, 400, refused.body)
      const fields = new Set(refused.json().errors.map((error: { field: string }) => error.field))
      assert.deepEqual([...fields].sort(), ['settings.country', 'settings.timeZone'])
      assert.doesNotMatch(refused.body, /XX|Mars|Olympus/)
      const set = await patch(tenant, {
        settings: { country: 'DE', timeZone: 'Europe/Berlin' },
      })
      assert.equal(set.statusCode, 200, set.body)
      assert.deepEqual(await storedOf(tenant), {
        ...defaults,
        country: 'DE',
        timeZone: 'Europe/Berlin',
      })
      const cleared = await patch(tenant, { settings: { country: null } })
      assert.equal(cleared.statusCode, 200, cleared.body)
      assert.deepEqual(await settingsOf(tenant), { ...defaults, timeZone: 'Europe/Berlin' })
    })

    test('an old row missing newer fields reads with their defaults, in every module', async () => {
      const tenant = await createTenant(harness, 'Old Row Ltd')
      await storeRaw(tenant, '{"slaDays":5,"retentionDays":{"conversations":9}}')
      assert.deepEqual(await settingsOf(tenant), {
        ...defaults,
        slaDays: 5,
        retentionDays: { ...defaults.retentionDays, conversations: 9 },
      })
      const workspace = await getWorkspace(harness.storage.db, tenant.workspaceId)
      assert.deepEqual(consentSettings.read(workspace.settings), {
        ageOfDigitalConsent: 16,
        consentProof: { limitationDays: 1095 },
      })
      assert.deepEqual(trackingSettings.read(workspace.settings), {
        tracking: { ipStorage: 'truncated' },
        retentionDays: { events: 395 },
      })
      // Reading changes nothing stored; the next change writes the whole document.
      assert.deepEqual(await storedOf(tenant), { slaDays: 5, retentionDays: { conversations: 9 } })
      const changed = await patch(tenant, { settings: { ageOfDigitalConsent: 14 } })
      assert.equal(changed.statusCode, 200, changed.body)
      assert.deepEqual(await storedOf(tenant), {
        ...defaults,
        slaDays: 5,
        ageOfDigitalConsent: 14,
        retentionDays: { ...defaults.retentionDays, conversations: 9 },
      })
    })

    test('a stored field no module declares any more is dropped, not a failure', async () => {
      const tenant = await createTenant(harness, 'Retired Ltd')
      await storeRaw(tenant, JSON.stringify({ ...defaults, retiredSetting: { on: true } }))
      assert.deepEqual(await settingsOf(tenant), defaults)
      const renamed = await patch(tenant, { name: 'Retired Group' })
      assert.equal(renamed.statusCode, 200, renamed.body)
      assert.deepEqual(await storedOf(tenant), defaults)
    })

    test('the controller record is null until recorded, then replaced whole, audited and sealed', async () => {
      const tenant = await createTenant(harness, 'Controller Ltd')
      const before = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(before.json().controller, null)
      const controller = sampleController({
        representative: {
          name: 'EU Rep GmbH',
          email: 'rep@eurep.example',
          address: {
            streetAddress: 'Hauptstraße 1',
            locality: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
        },
      })
      const recorded = await patch(tenant, { controller })
      assert.equal(recorded.statusCode, 200, recorded.body)
      assert.deepEqual(recorded.json().controller, controller)
      const read = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
      })
      assert.deepEqual(read.json().controller, controller)
      assert.deepEqual(read.json().settings, defaults, 'settings untouched')
      const withoutRepresentative = sampleController({ phone: '+45 11 22 33 44' })
      await patch(tenant, { controller: withoutRepresentative })
      const replaced = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
      })
      assert.deepEqual(replaced.json().controller, withoutRepresentative, 'replaced whole')
      const audit = await harness.app.inject({
        url: '/v1/audit?action=workspace.settings_changed&limit=10',
        headers: bearer(tenant.secretKey),
      })
      assert.ok(
        audit
          .json()
          .data.some(
            (entry: { details: { fields: string } }) => entry.details.fields === 'controller',
          ),
      )
      const dump = await dumpStore(harness.storage)
      for (const secret of ['dpo@smart-trial.example', 'Dana Protection', 'rep@eurep.example']) {
        for (const encoded of encodingsOf(secret)) {
          assert.equal(dump.includes(encoded), false, `${secret} is in the store in clear`)
        }
      }
    })

    test('an incomplete or malformed controller record is refused field by field and changes nothing', async () => {
      const tenant = await createTenant(harness, 'Half Controller Ltd')
      const withoutPhone: Partial<ReturnType<typeof sampleController>> = sampleController()
      delete withoutPhone.phone
      const refused = await patch(tenant, {
        controller: {
          ...withoutPhone,
          email: 'not-an-address',
          address: { ...sampleController().address, country: 'Denmark' },
          supervisoryAuthority: { ...sampleController().supervisoryAuthority, url: 'datatilsynet' },
        },
      })
      assert.equal(refused.statusCode, 400, refused.body)
      const fields = new Set(refused.json().errors.map((error: { field: string }) => error.field))
      for (const field of [
        'controller.phone',
        'controller.email',
        'controller.address.country',
        'controller.supervisoryAuthority.url',
      ]) {
        assert.ok(fields.has(field), `${field} in ${[...fields].join()}`)
      }
      const read = await harness.app.inject({
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(read.json().controller, null)
    })
  })
}
