import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createScheduler } from '../jobs/index.js'
import { createTenant, signUpOperator, type TenantFixture } from '../identity/testing/fixtures.js'
import { readOutbox } from '../mail/testing/outbox.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { rightsJobs } from './index.js'
import { callWithKey, lastCodeMailedTo } from './testing/requests.js'

/**
 * Every request type, every transition and the refused ones, the two clocks with an
 * extension, verification codes that expire or run out, duplicates, legal holds, and
 * the consent decision after restriction, objection and the automated-decision opt-out.
 */
interface View {
  id: string
  type: string
  status: string
  overdue: boolean
  duplicateOf: string | null
  extendedDueDate: string | null
  legalDueDate: string
  outcome: Record<string, unknown> | null
  failure: { code: string } | null
  rejectionArticle: string | null
  verificationMethod: string | null
}

const hour = 3_600_000

for (const dialect of testDialects) {
  describe(`request transitions [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-01-30T10:00:00Z' })
      tenant = await createTenant(harness, 'Transitions Co')
      for (const [index, person] of ['carol', 'dave', 'erin', 'frank'].entries()) {
        await send('POST', '/v1/contacts', tenant.secretKey, {
          email: `${person}@example.com`,
          externalId: `${person}-${index}`,
          name: `${person} Person`,
        })
        await send('POST', '/v1/consents', tenant.secretKey, {
          externalId: `${person}-${index}`,
          purpose: 'marketing',
          granted: true,
        })
      }
    })
    after(async () => harness.close())

    const send = (method: 'POST' | 'GET' | 'DELETE', url: string, key: string, payload?: object) =>
      callWithKey(harness, method, url, key, payload)

    async function file(type: string, subject: object, extra: object = {}): Promise<View> {
      const response = await send('POST', '/v1/rights/requests', tenant.secretKey, {
        type,
        subject,
        ...extra,
      })
      assert.equal(response.statusCode, 201, response.body)
      return (
        await send('GET', `/v1/rights/requests/${response.json<View>().id}`, tenant.secretKey)
      ).json<View>()
    }

    async function act(id: string, action: string, payload: object = {}) {
      return send('POST', `/v1/rights/requests/${id}/${action}`, tenant.secretKey, payload)
    }

    const decision = async (externalId: string, purpose: string) =>
      (
        await send(
          'GET',
          `/v1/consents/decision?externalId=${externalId}&purpose=${purpose}`,
          tenant.secretKey,
        )
      ).json<{ allowed: boolean; reason: string }>()

    const verifyByHand = { verification: { reason: 'Signed in to the customer portal' } }

    test('a request by the controller starts verifying; an unverified one cannot be fulfilled', async () => {
      const filed = await file('access', { email: 'carol@example.com' })
      assert.equal(filed.status, 'verifying', 'a code went to the address')
      const early = await act(filed.id, 'fulfil')
      assert.equal(early.statusCode, 409)
      const byHand = await act(filed.id, 'verify', { reason: 'Checked her passport at the desk' })
      // Access needs no judgement: once confirmed, it is answered at once.
      assert.equal(byHand.json<View>().status, 'completed')
      const view = (
        await send('GET', `/v1/rights/requests/${filed.id}`, tenant.secretKey)
      ).json<View>()
      assert.equal(view.verificationMethod, 'operator')
      assert.equal((await act(filed.id, 'fulfil')).statusCode, 409)
      const again = await act(filed.id, 'reject', { reason: 'Too late', article: 'art-12-5' })
      assert.equal(again.statusCode, 409, 'a completed request is final')
    })

    test('a back-dated request keeps its receipt; a future one is refused; the portal may not back-date', async () => {
      const filed = await file(
        'access',
        { email: 'dave@example.com' },
        {
          receivedAt: '2026-01-20T08:00:00Z',
          channel: 'post',
          ...verifyByHand,
        },
      )
      assert.equal(filed.legalDueDate, '2026-02-20')
      const future = await send('POST', '/v1/rights/requests', tenant.secretKey, {
        type: 'access',
        subject: { email: 'dave@example.com' },
        receivedAt: '2026-02-20T08:00:00Z',
      })
      assert.equal(future.statusCode, 400)
      const portal = await send('POST', '/v1/rights/requests', tenant.publicKey, {
        type: 'access',
        subject: { email: 'dave@example.com' },
        receivedAt: '2026-01-20T08:00:00Z',
      })
      assert.equal(portal.statusCode, 403)
      const byHand = await send('POST', '/v1/rights/requests', tenant.publicKey, {
        type: 'access',
        subject: { email: 'dave@example.com' },
        ...verifyByHand,
      })
      assert.equal(byHand.statusCode, 403, 'a person cannot vouch for themselves')
    })

    test('codes expire, run out after five wrong guesses, and a new one can be asked for', async () => {
      const filed = await file('portability', { email: 'erin@example.com' })
      harness.clock.advance(31 * 60_000)
      const late = await act(filed.id, 'verify', { code: await codeFor('erin@example.com') })
      assert.equal(late.statusCode, 409, 'an expired code')
      assert.equal((await act(filed.id, 'code')).statusCode, 200)
      const code = await codeFor('erin@example.com')
      const wrong = code === '999999' ? '999998' : '999999'
      for (let attempt = 0; attempt < 5; attempt += 1) {
        assert.equal((await act(filed.id, 'verify', { code: wrong })).statusCode, 400)
      }
      const exhausted = await act(filed.id, 'verify', { code })
      assert.equal(exhausted.statusCode, 409, 'the right code after five wrong ones is refused')
      assert.equal((await act(filed.id, 'code')).statusCode, 200)
      const verified = await send(
        'POST',
        `/v1/rights/requests/${filed.id}/verify`,
        tenant.publicKey,
        {
          code: await codeFor('erin@example.com'),
        },
      )
      assert.equal(verified.json<View>().status, 'completed', 'portability answered at once')
      const failures = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'rights.verification_failed',
      })
      assert.ok(failures.entries.length >= 7)
    })

    test('a duplicate is linked to the open request and still verified on its own', async () => {
      const first = await file('erasure', { email: 'frank@example.com' })
      const second = await file('erasure', { email: 'frank@example.com' })
      assert.equal(second.duplicateOf, first.id)
      assert.equal(second.status, 'verifying', 'deduplication never bypasses verification')
      assert.equal((await act(second.id, 'fulfil')).statusCode, 409)
      const withdrawn = await act(second.id, 'withdraw', { reason: 'Filed twice' })
      assert.equal(withdrawn.json<View>().status, 'withdrawn')
    })

    test('rejection needs an article that fits the type, and tells the person', async () => {
      const filed = await file('objection', { externalId: 'dave-1' }, verifyByHand)
      const wrongArticle = await act(filed.id, 'reject', { reason: 'No', article: 'art-17-3-b' })
      assert.equal(wrongArticle.statusCode, 400)
      const rejected = await act(filed.id, 'reject', {
        reason: 'The same objection was answered last week',
        article: 'art-12-5',
      })
      assert.equal(rejected.json<View>().status, 'rejected')
      assert.equal(rejected.json<View>().rejectionArticle, 'art-12-5')
      const mail = (await readOutbox(harness.outbox)).at(-1)
      assert.match(mail?.subject ?? '', /cannot act/)
      assert.match(mail?.text ?? '', /supervisory authority/)
    })

    test('an extension moves the legal date three months from receipt, once, and only in time', async () => {
      const filed = await file('access', { email: 'carol@example.com' }, verifyByHand)
      const extended = await act(filed.id, 'extend', { reason: 'Records are on paper in storage' })
      assert.equal(extended.statusCode, 200, extended.body)
      assert.ok(extended.json<View>().extendedDueDate !== null)
      assert.equal((await act(filed.id, 'extend', { reason: 'Again' })).statusCode, 409)
      const other = await file('access', { email: 'dave@example.com' }, verifyByHand)
      harness.clock.advance(40 * 24 * hour)
      assert.equal((await act(other.id, 'extend', { reason: 'Late' })).statusCode, 409)
      const overdue = await send('GET', '/v1/rights/requests?overdue=true', tenant.secretKey)
      const ids = overdue.json<{ data: View[] }>().data.map((item) => item.id)
      assert.ok(ids.includes(other.id), 'the overdue filter lists it')
      assert.ok(overdue.json<{ data: View[] }>().data.every((item) => item.overdue))
    })

    test('restriction, objection and the automated-decision opt-out change mayProcess', async () => {
      assert.equal((await decision('carol-0', 'marketing')).allowed, true)
      const restriction = await file('restriction', { externalId: 'carol-0' }, verifyByHand)
      assert.equal((await act(restriction.id, 'fulfil')).json<View>().status, 'completed')
      assert.equal((await decision('carol-0', 'marketing')).allowed, false)
      assert.equal((await act(restriction.id, 'lift-restriction')).statusCode, 200)
      const told = (await readOutbox(harness.outbox)).at(-1)
      assert.match(told?.subject ?? '', /restriction .* lifted/)
      assert.equal((await decision('carol-0', 'marketing')).allowed, true)

      const objection = await file(
        'objection',
        { externalId: 'dave-1' },
        { ...verifyByHand, details: { purposes: ['marketing'] } },
      )
      const grounds = await act(objection.id, 'fulfil', {
        compellingGrounds: { marketing: 'We want to' },
      })
      assert.equal(grounds.statusCode, 400, 'no grounds override an objection to direct marketing')
      const objected = await act(objection.id, 'fulfil')
      assert.equal(objected.json<View>().status, 'completed')
      assert.equal((await decision('dave-1', 'marketing')).allowed, false)

      await send('POST', '/v1/consents', tenant.secretKey, {
        externalId: 'erin-2',
        purpose: 'enrichment',
        granted: true,
      })
      assert.equal((await decision('erin-2', 'enrichment')).allowed, true)
      const optOut = await file('automated-decision', { externalId: 'erin-2' }, verifyByHand)
      assert.equal((await act(optOut.id, 'fulfil')).json<View>().status, 'completed')
      assert.equal((await decision('erin-2', 'enrichment')).allowed, false)
    })

    test('rectification changes the profile; the audit holds hashes, never values', async () => {
      const filed = await file(
        'rectification',
        { email: 'frank@example.com' },
        {
          ...verifyByHand,
          details: { changes: { name: 'Franklin Corrected' } },
        },
      )
      assert.equal((await act(filed.id, 'fulfil')).json<View>().status, 'completed')
      const contact = await send('GET', '/v1/contacts?email=frank@example.com', tenant.secretKey)
      assert.equal(contact.json<{ data: { name: string }[] }>().data[0]?.name, 'Franklin Corrected')
      const log = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'rights.contact_rectified',
      })
      const text = JSON.stringify(log.entries)
      assert.equal(log.entries.length, 1)
      assert.ok(!text.includes('Franklin') && !text.includes('frank Person'))
    })

    test('a legal hold blocks erasure, the failure stays on the request, and a retry works once lifted', async () => {
      const hold = await send('POST', '/v1/rights/holds', tenant.secretKey, {
        subject: { externalId: 'dave-1' },
        basis: 'art-17-3-e',
        reason: 'Pending dispute about an invoice',
      })
      assert.equal(hold.statusCode, 201)
      const filed = await file('erasure', { email: 'dave@example.com' }, verifyByHand)
      assert.equal((await act(filed.id, 'fulfil')).statusCode, 409)
      const failed = (
        await send('GET', `/v1/rights/requests/${filed.id}`, tenant.secretKey)
      ).json<View>()
      assert.equal(failed.status, 'in-progress')
      assert.equal(failed.failure?.code, 'conflict', 'the problem is shown on the request')
      const lifted = await send(
        'DELETE',
        `/v1/rights/holds/${hold.json<{ id: string }>().id}`,
        tenant.secretKey,
      )
      assert.equal(lifted.statusCode, 204)
      const retried = await act(filed.id, 'fulfil')
      assert.equal(retried.json<View>().status, 'completed')
      assert.equal(retried.json<View>().failure, null)
    })

    test('the portal limit holds under a burst of concurrent filings for one person', async () => {
      const burst = await Promise.all(
        Array.from({ length: 12 }, () =>
          send('POST', '/v1/rights/requests', tenant.publicKey, {
            type: 'access',
            subject: { email: 'burst@example.com' },
          }),
        ),
      )
      const accepted = burst.filter((response) => response.statusCode === 201).length
      const limited = burst.filter((response) => response.statusCode === 429).length
      assert.equal(accepted, 5)
      assert.equal(limited, 7)
    })

    test('the reminder job reminds the person once, lapses the unconfirmed, and mails the DPO once', async () => {
      const dpo = await signUpOperator(harness, tenant.workspaceId, 'dpo', {
        email: 'dpo@example.com',
      })
      assert.ok(dpo.operatorId)
      const filed = await file('access', { email: 'grace@example.com' })
      const schedulers = [0, 1].map(() =>
        createScheduler({
          db: harness.storage.db,
          clock: harness.clock,
          logger: harness.logs.logger,
          jobs: rightsJobs(harness.modules.rights),
        }),
      )
      harness.clock.advance(49 * hour)
      await Promise.all(schedulers.map((scheduler) => scheduler.tick()))
      const toGrace = (await readOutbox(harness.outbox)).filter((mail) =>
        mail.to.includes('grace@'),
      )
      assert.equal(
        toGrace.filter((mail) => /Reminder/.test(mail.subject)).length,
        1,
        'one run, one reminder',
      )
      harness.clock.advance(14 * 24 * hour)
      await schedulers[0]?.tick()
      const lapsed = (
        await send('GET', `/v1/rights/requests/${filed.id}`, tenant.secretKey)
      ).json<View>()
      assert.equal(lapsed.status, 'rejected')
      assert.equal(lapsed.rejectionArticle, 'art-12-6')
      const toDpo = (await readOutbox(harness.outbox)).filter((mail) =>
        mail.to.includes('dpo@example.com'),
      )
      assert.ok(toDpo.length >= 1, 'the DPO heard of overdue requests')
      const count = toDpo.length
      harness.clock.advance(hour)
      await schedulers[1]?.tick()
      const after = (await readOutbox(harness.outbox)).filter((mail) =>
        mail.to.includes('dpo@example.com'),
      )
      assert.equal(after.length, count, 'each request is reminded of once')
    })

    const codeFor = (to: string) => lastCodeMailedTo(harness, to)
  })
}
