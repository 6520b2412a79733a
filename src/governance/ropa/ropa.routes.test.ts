import assert from 'node:assert/strict'
import { mkdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../testing/test-app.js'
import { recordController } from '../../workspaces/testing/controller.js'
import { browserSkip, launchChromium } from '../../../test/browser.js'
import { parseCsv } from '../testing/csv.js'
import { icoControllerColumns, processorColumns } from './ico-template.js'
import type { RecordsOfProcessing } from './ropa.schema.js'

const ownCategory = {
  label: 'Loyalty <b>points</b>',
  description: 'Points <script>alert(1)</script> per purchase',
  specialCategory: false,
  dataSubjects: ['Customers of the loyalty programme'],
  purposes: ['Running the loyalty programme'],
  lawfulBases: ['contract'],
  retention: 'Until the membership ends',
  systems: ['Loyalty service'],
  recipients: ['Loyalty platform (sub-processor)'],
  source: 'Purchases',
  requirement: 'Required to take part',
}

for (const dialect of testDialects) {
  describe(`records of processing (Art. 30) [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let categories: string[]

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Records Ltd')
      await recordController(harness.modules.workspaces, tenant.workspaceId)
      const headers = bearer(tenant.secretKey)
      const put = await harness.app.inject({
        method: 'PUT',
        url: '/v1/data-map/categories/loyalty-points',
        headers,
        payload: ownCategory,
      })
      assert.equal(put.statusCode, 200, put.body)
      const registered = await harness.app.inject({
        method: 'POST',
        url: '/v1/subprocessors',
        headers,
        payload: {
          name: 'Enrich Inc.',
          service: 'Company data for profiles',
          dataCategories: ['contact-profile'],
          country: 'US',
          dpa: { signedOn: '2026-01-15', reference: 'DPA-ENRICH-1' },
          transferMechanism: { type: 'scc', module: 2, signedOn: '2026-01-15' },
          supplementaryMeasures: ['Encrypted before transfer, keys stay in the EU'],
        },
      })
      assert.equal(registered.statusCode, 201, registered.body)
      const map = await harness.app.inject({ url: '/v1/data-map', headers })
      categories = map.json<{ categories: { name: string }[] }>().categories.map((c) => c.name)
    })
    after(async () => harness.close())

    const ropa = (query: string, key = tenant.secretKey) =>
      harness.app.inject({ url: `/v1/ropa${query}`, headers: bearer(key) })

    test("the CSV opens with the ICO template's columns, in order, and lists every category of the data map", async () => {
      const response = await ropa('?format=csv')
      assert.equal(response.statusCode, 200, response.body)
      assert.match(String(response.headers['content-type']), /^text\/csv/)
      assert.ok(response.body.startsWith('\uFEFF'), 'a byte-order mark for spreadsheets')
      const [header, ...rows] = parseCsv(response.body)
      assert.deepEqual(header, [...icoControllerColumns])
      assert.equal(icoControllerColumns.length, 30)
      assert.equal(rows.length, categories.length)
      const personalData = rows.map((row) => row[4] ?? '')
      for (const category of categories) {
        assert.ok(
          personalData.some((cell) => cell.includes(`(${category})`)),
          `${category} is in the CSV`,
        )
      }
      for (const row of rows) assert.equal(row.length, 30)
      const profile = rows.find((row) => row[4]?.includes('(contact-profile)'))
      assert.match(profile?.[7] ?? '', /Enrich Inc\.: US/)
      assert.match(profile?.[8] ?? '', /module 2 .*Encrypted before transfer/)
      const browsing = rows.find((row) => row[4]?.includes('(browsing)'))
      assert.ok(browsing)
      assert.match(browsing[1] ?? '', /analytics: Measuring how this site is used/)
      assert.match(browsing[11] ?? '', /consent \(Art\. 6\(1\)\(a\)\)/)
      assert.equal(browsing[20], 'Yes', "Custodian's own DPIA covers browsing data")
      assert.match(browsing[22] ?? '', /\/v1\/dpias\/[0-9a-f-]{36}$/)
    })

    test("the JSON holds both records: the controller's, with its contacts, and the processor's for this workspace only", async () => {
      await createTenant(harness, 'Someone Else Ltd')
      const response = await ropa('')
      assert.equal(response.statusCode, 200, response.body)
      const records = response.json<RecordsOfProcessing>()
      assert.equal(records.controllerRecord.article, 'Art. 30(1)')
      assert.equal(records.controllerRecord.controller?.dpo.email, 'dpo@smart-trial.example')
      assert.deepEqual(
        records.controllerRecord.activities.map((activity) => activity.category),
        categories,
      )
      const ip = records.controllerRecord.activities.find((a) => a.category === 'ip-address')
      assert.ok(ip?.locations.some((where) => where.table === 'tracking_events'))
      assert.match(ip?.legitimateInterests ?? '', /secure/)
      assert.ok(ip?.rights.some((right) => right.startsWith('objection')))
      assert.equal(records.processorRecord.article, 'Art. 30(2)')
      assert.deepEqual(
        records.processorRecord.controllers.map((controller) => controller.workspaceId),
        [tenant.workspaceId],
      )
      const processorCsv = await ropa('?format=csv&record=processor')
      const [header, ...rows] = parseCsv(processorCsv.body)
      assert.deepEqual(header, [...processorColumns])
      assert.equal(rows.length, 1)
      assert.match(rows[0]?.[1] ?? '', /Smart Trial ApS/)
    })

    test('the HTML is a readable page, escaped, with every category (screenshot in the test run)', async (t) => {
      const response = await ropa('?format=html')
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^text\/html/)
      assert.doesNotMatch(response.body, /<script>alert/)
      assert.match(response.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
      for (const category of categories) assert.ok(response.body.includes(`id="${category}"`))
      const skip = browserSkip()
      if (skip) {
        t.skip(skip)
        return
      }
      const browser = await launchChromium()
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
        await page.setContent(response.body)
        assert.equal(await page.locator('h1').textContent(), 'Records of processing activities')
        assert.equal(await page.locator('section h3').count(), categories.length)
        const directory = join(tmpdir(), 'custodian-screenshots')
        mkdirSync(directory, { recursive: true })
        const path = join(directory, `ropa-${dialect}.png`)
        await page.screenshot({ path, fullPage: true })
        assert.ok(statSync(path).size > 10_000)
        t.diagnostic(`screenshot of the records of processing: ${path}`)
      } finally {
        await browser.close()
      }
    })

    test('every export is audited; an agent may not export', async () => {
      const audit = await harness.app.inject({
        url: '/v1/audit?action=ropa.exported&limit=50',
        headers: bearer(tenant.secretKey),
      })
      const formats = audit
        .json<{ data: { details: { format: string } }[] }>()
        .data.map((entry) => entry.details.format)
      for (const format of ['csv', 'json', 'html']) assert.ok(formats.includes(format), format)
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      const refused = await harness.app.inject({ url: '/v1/ropa', headers: agent.headers() })
      assert.equal(refused.statusCode, 403)
    })
  })
}
