import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bearer,
  createTenant,
  signUpOperator,
  type SignedIn,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { readOutbox } from '../mail/testing/outbox.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { checkBreachClocks } from './clock.service.js'

const hour = 3_600_000

for (const dialect of testDialects) {
  describe(`the breach register over the API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let other: TenantFixture
    let dpo: SignedIn

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-04-01T08:00:00Z' })
      tenant = await createTenant(harness, 'Register Ltd')
      other = await createTenant(harness, 'Other Ltd')
      dpo = await signUpOperator(harness, tenant.workspaceId, 'dpo', { twoFactor: true })
    })
    after(async () => harness.close())

    const post = (payload: object, key = tenant.secretKey) =>
      harness.app.inject({ method: 'POST', url: '/v1/breaches', headers: bearer(key), payload })
    const get = (url: string, key = tenant.secretKey) =>
      harness.app.inject({ url, headers: bearer(key) })

    test('POST records an incident whose authority deadline is awareness + 72 hours', async () => {
      const response = await post({
        discoveredAt: '2026-04-01T07:00:00Z',
        awareAt: '2026-04-01T07:30:00Z',
        nature: 'confidentiality',
        categories: ['contact-profile'],
        approxSubjects: 120,
        description: 'A laptop with an export was stolen',
      })
      assert.equal(response.statusCode, 201, response.body)
      const incident = response.json<Record<string, unknown>>()
      assert.equal(incident.discoveredAt, '2026-04-01T07:00:00.000Z')
      assert.equal(incident.authorityDeadline, '2026-04-04T07:30:00.000Z')
      assert.deepEqual(incident.nature, ['confidentiality'])
      assert.equal(incident.description, 'A laptop with an export was stolen')
      assert.equal((incident.clock as { state: string }).state, 'running')
      // The free text is sealed: another tenant sees nothing, and no row holds it in clear.
      assert.equal(
        (await get(`/v1/breaches/${String(incident.id)}`, other.secretKey)).statusCode,
        404,
      )
      assert.deepEqual((await get('/v1/breaches', other.secretKey)).json(), { data: [] })
    })

    test('the 72-hour clock warns at 48 hours and flags at 72, once each', async () => {
      const created = await post({
        discoveredAt: harness.clock.now().toISOString(),
        nature: ['availability'],
      })
      const id = created.json<{ id: string }>().id
      const clockOfIt = async () => {
        const body = (await get(`/v1/breaches/${id}`)).json<{
          clock: { state: string }
          warnedAt: string | null
          overdueAt: string | null
        }>()
        return [body.clock.state, body.warnedAt !== null, body.overdueAt !== null]
      }
      harness.clock.advance(47 * hour)
      await checkBreachClocks(harness.modules.breach)
      assert.deepEqual(await clockOfIt(), ['running', false, false])
      harness.clock.advance(1 * hour)
      assert.equal((await checkBreachClocks(harness.modules.breach)).warned >= 1, true)
      assert.deepEqual(await clockOfIt(), ['warning', true, false])
      harness.clock.advance(23 * hour)
      await checkBreachClocks(harness.modules.breach)
      assert.deepEqual(await clockOfIt(), ['warning', true, false])
      harness.clock.advance(1 * hour)
      await checkBreachClocks(harness.modules.breach)
      assert.deepEqual(await clockOfIt(), ['overdue', true, true])
      assert.deepEqual(await checkBreachClocks(harness.modules.breach), { warned: 0, flagged: 0 })
      // The DPO was told each time (Art. 38–39), naming the incident, not its contents.
      const mails = (await readOutbox(harness.outbox)).filter((mail) => mail.to === dpo.email)
      assert.deepEqual(
        mails.map((mail) => mail.subject).filter((subject) => subject.startsWith('Breach')),
        [
          'Breach notification due within 24 hours',
          'Breach notification due within 24 hours',
          'Breach notification overdue (72 hours passed)',
          'Breach notification overdue (72 hours passed)',
        ],
      )
      assert.ok(mails.some((mail) => mail.text.includes(id)))
      const audit = await harness.audit.listEntries(tenant.workspaceId, { limit: 50 })
      const actions = audit.entries.map((entry) => entry.action)
      assert.equal(actions.filter((action) => action === 'breach.deadline_warning').length, 2)
      assert.equal(actions.filter((action) => action === 'breach.deadline_passed').length, 2)
      // A late draft asks for the reasons of the delay (Art. 33(1)).
      const drafts = (await get(`/v1/breaches/${id}/drafts`)).json<{ authorityNotice: string }>()
      assert.match(drafts.authorityNotice, /Reasons for notifying after 72 hours/)
    })

    test('notifying the authority stops the clock; not notifying needs reasons', async () => {
      const created = await post({
        discoveredAt: harness.clock.now().toISOString(),
        nature: ['integrity'],
      })
      const id = created.json<{ id: string }>().id
      const patch = (payload: object) =>
        harness.app.inject({
          method: 'PATCH',
          url: `/v1/breaches/${id}`,
          headers: bearer(tenant.secretKey),
          payload,
        })
      assert.equal((await patch({ art33Decision: 'not-required' })).statusCode, 400)
      const decided = await patch({
        art33Decision: 'not-required',
        art33Reason: 'The data was encrypted and the key was not exposed',
        art34Decision: 'not-required',
        art34Reason: 'Art. 34(3)(a): unintelligible to anyone not authorised',
        dpoAssessment: 'Agreed: no risk to the people concerned',
      })
      assert.equal(decided.statusCode, 200, decided.body)
      assert.equal(decided.json<{ clock: { state: string } }>().clock.state, 'not-required')
      harness.clock.advance(80 * hour)
      assert.deepEqual(await checkBreachClocks(harness.modules.breach), { warned: 0, flagged: 0 })
    })

    test('drafts are written in the workspace’s notification language', async () => {
      const created = await post({
        discoveredAt: harness.clock.now().toISOString(),
        nature: 'confidentiality',
        categories: ['browsing'],
        approxSubjects: 40,
        approxRecords: 900,
      })
      const id = created.json<{ id: string }>().id
      const changed = await harness.app.inject({
        method: 'PATCH',
        url: '/v1/workspace',
        headers: bearer(tenant.secretKey),
        payload: { settings: { breach: { notificationLanguage: 'de' } } },
      })
      assert.equal(changed.statusCode, 200, changed.body)
      const drafts = (await get(`/v1/breaches/${id}/drafts`)).json<{
        language: string
        authorityNotice: string
        subjectMessage: string
      }>()
      assert.equal(drafts.language, 'de')
      assert.match(
        drafts.authorityNotice,
        /Kategorien betroffener personenbezogener Daten: browsing/,
      )
      assert.match(drafts.authorityNotice, /Betroffene Personen: etwa 40/)
      assert.match(drafts.subjectMessage, /Sicherheitsvorfall/)
    })
  })
}
