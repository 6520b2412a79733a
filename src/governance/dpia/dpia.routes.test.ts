import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  type SignedIn,
  signUpOperator,
  type TenantFixture,
} from '../../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../../testing/test-app.js'
import { remindOverdueReviews } from './dpia-reminders.js'
import type { Assessment, RiskRegisterEntry } from './dpia.schema.js'

const dayMs = 24 * 60 * 60 * 1000

const webinarDpia = {
  title: 'Webinar recordings',
  processing: 'Recording webinars with attendees’ names and questions',
  categories: ['contact-profile'],
  necessity: 'Attendees may watch again; questions answered later',
  proportionality: 'Recordings deleted after 90 days; attendees may join without camera',
  risks: [
    {
      id: 'unexpected-publication',
      description: 'A recording with attendees is published without their knowledge',
      likelihood: 3,
      severity: 3,
      measures: ['Recordings are private links', 'Attendees are told before joining'],
      residualLikelihood: 1,
      residualSeverity: 3,
    },
  ],
  reviewDueOn: '2026-06-01',
}

for (const dialect of testDialects) {
  describe(`the DPIA and risk register [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let dpo: SignedIn

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-03-01T09:00:00Z' })
      tenant = await createTenant(harness, 'Assessed Ltd')
      dpo = await signUpOperator(harness, tenant.workspaceId, 'dpo', {
        twoFactor: true,
        email: 'dpo@assessed.example',
      })
    })
    after(async () => harness.close())

    const list = async (query = '') => {
      const response = await harness.app.inject({
        url: `/v1/dpias${query}`,
        headers: bearer(tenant.secretKey),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<{ data: Assessment[] }>().data
    }

    test("the register opens with Custodian's own filled-in DPIA, a draft due for review a year on", async () => {
      const [first, ...rest] = await list()
      assert.equal(rest.length, 0)
      assert.ok(first)
      assert.equal(first.seeded, true)
      assert.equal(first.title, 'Custodian customer data platform (this instance)')
      assert.equal(first.status, 'draft')
      assert.equal(first.reviewDueOn, '2027-03-01')
      assert.equal(first.overdue, false)
      const breach = first.risks.find((risk) => risk.id === 'illegitimate-access-storage')
      assert.ok(breach)
      assert.equal(breach.score, 8)
      assert.equal(breach.residualScore, 4)
      assert.equal((await list()).length, 1, 'seeded once')
    })

    test('a DPIA is added, signed off by the DPO only, and reopened by a change', async () => {
      const created = await harness.app.inject({
        method: 'POST',
        url: '/v1/dpias',
        headers: bearer(tenant.secretKey),
        payload: webinarDpia,
      })
      assert.equal(created.statusCode, 201, created.body)
      const id = created.json<Assessment>().id
      const signOff = {
        opinion: 'Proceed; review the retention after a year',
        nextReviewOn: '2027-03-01',
      }
      const bySecretKey = await harness.app.inject({
        method: 'POST',
        url: `/v1/dpias/${id}/sign-off`,
        headers: bearer(tenant.secretKey),
        payload: signOff,
      })
      assert.equal(bySecretKey.statusCode, 403, 'only the DPO signs off')
      const signed = await harness.app.inject({
        method: 'POST',
        url: `/v1/dpias/${id}/sign-off`,
        headers: dpo.headers(),
        payload: signOff,
      })
      assert.equal(signed.statusCode, 200, signed.body)
      assert.equal(signed.json<Assessment>().status, 'signed-off')
      assert.equal(signed.json<Assessment>().signOff?.signedBy, dpo.operatorId)
      assert.equal(signed.json<Assessment>().reviewDueOn, '2027-03-01')
      const changed = await harness.app.inject({
        method: 'PATCH',
        url: `/v1/dpias/${id}`,
        headers: bearer(tenant.secretKey),
        payload: { proportionality: 'Recordings deleted after 30 days' },
      })
      assert.equal(changed.statusCode, 200, changed.body)
      assert.equal(changed.json<Assessment>().status, 'draft', 'a change after sign-off reopens it')
      assert.equal(changed.json<Assessment>().signOff, null)
      const audit = await harness.app.inject({
        url: '/v1/audit?action=dpia.changed&limit=5',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(audit.json().data[0].details.reopened, true)
    })

    test('the risk register lists every risk of every DPIA, highest residual first', async () => {
      const response = await harness.app.inject({
        url: '/v1/risks',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(response.statusCode, 200)
      const risks = response.json<{ data: RiskRegisterEntry[] }>().data
      assert.ok(risks.some((risk) => risk.id === 'unexpected-publication'))
      assert.ok(risks.some((risk) => risk.assessment.startsWith('Custodian')))
      const residuals = risks.map((risk) => risk.residualScore)
      assert.deepEqual(
        residuals,
        [...residuals].sort((a, b) => b - a),
      )
    })

    test('overdue reviews are listed, and the DPO is reminded once a week until reviewed', async () => {
      harness.clock.set('2027-03-03T09:00:00Z')
      const overdue = await list('?overdue=true')
      assert.deepEqual(overdue.map((assessment) => assessment.title).sort(), [
        'Custodian customer data platform (this instance)',
        'Webinar recordings',
      ])
      const before = new Set(await readdir(harness.outbox))
      const summary = await remindOverdueReviews(harness.modules.governance)
      assert.match(summary, /2 overdue reviews in \d+ workspaces, \d+ mails/)
      const mails = (await readdir(harness.outbox)).filter((name) => !before.has(name))
      assert.equal(mails.length, 1)
      const mail = await readFile(join(harness.outbox, mails[0] ?? ''), 'utf8')
      assert.match(mail, /dpo@assessed\.example/)
      assert.match(mail, /DPIA reviews are overdue/)
      assert.match(
        await remindOverdueReviews(harness.modules.governance),
        /^0 overdue/,
        'not again within a week',
      )
      harness.clock.advance(8 * dayMs)
      assert.match(await remindOverdueReviews(harness.modules.governance), /^2 overdue/)
      const audit = await harness.app.inject({
        url: '/v1/audit?action=dpia.review_overdue&limit=5',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(audit.json().data[0].details.overdue, 2)
    })

    test("another workspace never sees this one's DPIAs", async () => {
      const other = await createTenant(harness, 'Other Assessed Ltd')
      const mine = await list()
      const response = await harness.app.inject({
        url: `/v1/dpias/${mine[1]?.id ?? ''}`,
        headers: bearer(other.secretKey),
      })
      assert.equal(response.statusCode, 404)
    })
  })
}
