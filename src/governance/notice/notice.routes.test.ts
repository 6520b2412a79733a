import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../testing/test-app.js'
import { recordController } from '../../workspaces/testing/controller.js'
import { loadDataMap } from '../data-map/load-data-map.js'
import type { PrivacyNotice } from './notice.schema.js'
import { loadTranslations, translatorFor } from './translations.js'

const map = loadDataMap()
const table = loadTranslations()

for (const dialect of testDialects) {
  describe(`the privacy notice (Art. 13/14) [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Notice Ltd')
    })
    after(async () => harness.close())

    // Public: no credentials.
    const notice = (query: string, headers: Record<string, string> = {}, format = 'json') =>
      harness.app.inject({
        url: `/v1/workspaces/${tenant.workspaceId}/privacy-notice.${format}${query}`,
        headers,
      })

    test('a workspace that has not said who it is has no notice yet', async () => {
      const response = await notice('')
      assert.equal(response.statusCode, 409, response.body)
    })

    test('names every category and recipient of the data map, in English and in German', async () => {
      await recordController(harness.modules.workspaces, tenant.workspaceId)
      for (const language of ['en', 'de'] as const) {
        const response = await notice(`?lang=${language}`)
        assert.equal(response.statusCode, 200, response.body)
        assert.equal(response.headers['content-language'], language)
        const document = response.json<PrivacyNotice>()
        assert.equal(document.language, language)
        assert.deepEqual(document.untranslated, [])
        const words = translatorFor(table, language)
        assert.deepEqual(
          document.categories.map((category) => category.name),
          Object.keys(map.categories),
        )
        for (const [name, category] of Object.entries(map.categories)) {
          const shown = document.categories.find((entry) => entry.name === name)
          assert.ok(shown, name)
          assert.equal(shown.label, words.text(category.label))
          assert.deepEqual(shown.recipients, category.recipients.map(words.text))
          assert.equal(shown.retention, words.text(category.retention))
        }
        const html = await notice(`?lang=${language}`, {}, 'html')
        assert.equal(html.statusCode, 200)
        assert.match(html.body, new RegExp(`<html lang="${language}">`))
        for (const category of Object.values(map.categories)) {
          assert.ok(html.body.includes(escape(words.text(category.label))), category.label)
          for (const recipient of category.recipients) {
            assert.ok(html.body.includes(escape(words.text(recipient))), recipient)
          }
        }
      }
      const german = (await notice('?lang=de')).json<PrivacyNotice>()
      assert.equal(german.title, 'Datenschutzerklärung: Smart Trial ApS')
      assert.equal(
        german.categories.find((category) => category.name === 'browsing')?.label,
        'Nutzungsdaten',
      )
    })

    test('says who to contact, what can be agreed to, automated decisions, rights and where to complain', async () => {
      const document = (await notice('')).json<PrivacyNotice>()
      assert.equal(document.dataProtectionOfficer.email, 'dpo@smart-trial.example')
      assert.equal(document.controller.phone, '+45 70 20 30 40')
      assert.equal(document.complaint.authority, 'Datatilsynet')
      assert.match(document.complaint.text, /https:\/\/www\.datatilsynet\.dk/)
      assert.deepEqual(document.consentPurposes.map((purpose) => purpose.name).sort(), [
        'analytics',
        'enrichment',
        'marketing',
        'profiling',
        'support',
      ])
      assert.deepEqual(
        document.automatedDecisions.purposes.map((line) => line.split(':')[0]),
        ['enrichment', 'profiling'],
      )
      const rights = document.rights.map((right) => right.right)
      for (const right of [
        'access',
        'erasure',
        'portability',
        'objection',
        'withdraw-consent',
        'automated-decisions',
        'complaint',
      ]) {
        assert.ok(rights.includes(right), right)
      }
      assert.match(document.exercise, /dpo@smart-trial\.example/)
      assert.match(document.withdrawConsent, /Art\. 7\(3\)/)
    })

    test("shows the workspace's processors and their transfers, and its own categories (in English until translated)", async () => {
      const headers = bearer(tenant.secretKey)
      await harness.app.inject({
        method: 'POST',
        url: '/v1/subprocessors',
        headers,
        payload: {
          name: 'Enrich Inc.',
          service: 'Company data',
          dataCategories: ['contact-profile'],
          country: 'US',
          dpa: { signedOn: '2026-01-15', reference: 'DPA-1' },
          transferMechanism: { type: 'scc', module: 2, signedOn: '2026-01-15' },
          supplementaryMeasures: ['Encrypted before transfer, keys stay in the EU'],
        },
      })
      const saved = await harness.app.inject({
        method: 'PUT',
        url: '/v1/data-map/categories/loyalty-points',
        headers,
        payload: {
          label: 'Loyalty points',
          description: 'Points per purchase',
          specialCategory: false,
          dataSubjects: ['Members'],
          purposes: ['Loyalty programme'],
          lawfulBases: ['contract'],
          retention: 'Until the membership ends',
          systems: ['Loyalty service'],
          recipients: ['Loyalty platform'],
          source: 'Purchases',
          requirement: 'Required to take part',
        },
      })
      assert.equal(saved.statusCode, 200, saved.body)
      const german = (
        await notice('', { 'accept-language': 'de-DE,de;q=0.9' })
      ).json<PrivacyNotice>()
      assert.equal(german.language, 'de')
      const profile = german.categories.find((category) => category.name === 'contact-profile')
      assert.ok(profile)
      assert.ok(profile.processors.includes('Enrich Inc. (US)'))
      assert.ok(
        profile.processors.some((name) => name.includes('Azure')),
        'the seeded host',
      )
      assert.match(profile.transfers[0] ?? '', /standard contractual clauses, module 2.*Encrypted/)
      const loyalty = german.categories.find((category) => category.name === 'loyalty-points')
      assert.equal(loyalty?.label, 'Loyalty points')
      assert.ok(german.untranslated.includes('Loyalty points'))
    })

    test('an unknown workspace has no notice', async () => {
      const response = await harness.app.inject({
        url: '/v1/workspaces/019b0000-0000-7000-8000-00000000dead/privacy-notice.json',
      })
      assert.equal(response.statusCode, 404)
    })
  })
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
