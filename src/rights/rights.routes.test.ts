import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { readOutbox } from '../mail/testing/outbox.js'
import { personalTables, tableClassification } from '../personal-data/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { readArchive } from './testing/archive.js'
import { callWithKey, lastCodeMailedTo } from './testing/requests.js'

/**
 * The rights API end to end, as a person and an operator use it: a person with a
 * contact, consents and events asks through the privacy portal's door (the public
 * key) for a copy of their data, confirms with the code from their mail, and downloads
 * a ZIP of all their data and nobody else's; then asks for erasure, and afterwards no
 * table holds a row of theirs, no sealed value of theirs opens, and the stored bytes
 * hold none of their identifiers.
 */
interface Person {
  email: string
  externalId: string
  anonymousId: string
  name: string
  page: string
}

const ada: Person = {
  email: 'ada.rights@example.com',
  externalId: 'ada-rights-77',
  anonymousId: 'anon-ada-rights',
  name: 'Ada Rightsworth',
  page: 'https://shop.example/ada-secret-wishlist',
}
const bob: Person = {
  email: 'bob.keeps@example.com',
  externalId: 'bob-keeps-8',
  anonymousId: 'anon-bob-keeps',
  name: 'Bob Keepington',
  page: 'https://shop.example/bob-basket',
}

interface Filed {
  id: string
  type: string
  status: string
  receivedAt: string
  dueAt: string
  legalDueDate: string
  legalDueAt: string
}

for (const dialect of testDialects) {
  describe(`data subject requests end to end [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect, startAt: '2026-03-02T09:00:00Z' })
      tenant = await createTenant(harness, 'Rights Co')
      for (const person of [ada, bob]) await makePerson(person)
    })
    after(async () => harness.close())

    const call = (method: 'POST' | 'GET' | 'DELETE', url: string, key: string, payload?: object) =>
      callWithKey(harness, method, url, key, payload)

    async function ok(method: 'POST' | 'GET', url: string, key: string, payload?: object) {
      const response = await call(method, url, key, payload)
      assert.ok(
        response.statusCode < 300,
        `${method} ${url}: ${response.statusCode} ${response.body}`,
      )
      return response
    }

    async function makePerson(person: Person): Promise<void> {
      const { publicKey, secretKey } = tenant
      await ok('POST', '/v1/consents', publicKey, {
        anonymousId: person.anonymousId,
        purpose: 'analytics',
        granted: true,
      })
      await ok('POST', '/v1/events', publicKey, {
        batch: [{ type: 'page', anonymousId: person.anonymousId, url: person.page }],
      })
      await ok('POST', '/v1/events', secretKey, {
        batch: [
          {
            type: 'identify',
            anonymousId: person.anonymousId,
            externalId: person.externalId,
            traits: { email: person.email, name: person.name },
          },
        ],
      })
      await ok('POST', '/v1/consents', secretKey, {
        externalId: person.externalId,
        purpose: 'marketing',
        granted: true,
      })
    }

    const codeFor = (to: string) => lastCodeMailedTo(harness, to)

    async function fileThroughPortal(type: string, email: string): Promise<Filed> {
      const response = await ok('POST', '/v1/rights/requests', tenant.publicKey, {
        type,
        subject: { email },
      })
      assert.equal(response.statusCode, 201)
      return response.json<Filed>()
    }

    const rowsOf = async (table: string) =>
      Number(
        (
          await sql<{
            count: number | string
          }>`select count(*) as count from ${sql.table(table)}`.execute(harness.storage.db)
        ).rows[0]?.count ?? 0,
      )

    test('a person gets a ZIP of all their data, and only theirs, after confirming by mail', async () => {
      const filed = await fileThroughPortal('access', ada.email)
      assert.deepEqual(Object.keys(filed).sort(), [
        'dueAt',
        'id',
        'legalDueAt',
        'legalDueDate',
        'receivedAt',
        'status',
        'type',
      ])
      assert.equal(filed.status, 'verifying')
      assert.equal(filed.dueAt, '2026-03-09T09:00:00.000Z', 'seven days, the statements promise')
      assert.equal(filed.legalDueDate, '2026-04-02', 'one month by Regulation 1182/71')

      const wrong = await call('POST', `/v1/rights/requests/${filed.id}/verify`, tenant.publicKey, {
        code: '000000' === (await codeFor(ada.email)) ? '111111' : '000000',
      })
      assert.equal(wrong.statusCode, 400)
      const verified = await ok(
        'POST',
        `/v1/rights/requests/${filed.id}/verify`,
        tenant.publicKey,
        {
          code: await codeFor(ada.email),
        },
      )
      assert.equal(verified.json<Filed>().status, 'completed', 'access is answered at once')

      const mails = await readOutbox(harness.outbox)
      const done = mails.filter((mail) => mail.to.includes(ada.email)).at(-1)
      const link = /https:\/\/custodian\.test(\/v1\/rights\/exports\/[A-Za-z0-9_-]{43})/.exec(
        done?.text ?? '',
      )?.[1]
      assert.ok(link, 'the completion mail links the download')

      const download = await harness.app.inject({ method: 'GET', url: link })
      assert.equal(download.statusCode, 200)
      assert.equal(download.headers['content-type'], 'application/zip')
      const entries = await readArchive(download.rawPayload)
      const names = entries.map((entry) => entry.name)
      for (const name of ['manifest.json', 'index.html', 'contacts/contacts.json', 'tracking/']) {
        assert.ok(
          names.some((entry) => entry.startsWith(name)),
          `${name} is in the archive: ${names.join(', ')}`,
        )
      }
      let all = ''
      for (const entry of entries.filter((item) => !item.directory)) {
        if (entry.name.endsWith('.json')) JSON.parse(entry.text)
        all += entry.text
      }
      for (const value of [ada.email, ada.name, ada.page]) assert.ok(all.includes(value), value)
      for (const value of [bob.email, bob.name, bob.page]) assert.ok(!all.includes(value), value)
      const manifest = JSON.parse(
        entries.find((entry) => entry.name === 'manifest.json')?.text ?? '{}',
      ) as {
        purposes: { name: string }[]
        recipients: string
      }
      assert.ok(manifest.purposes.some((purpose) => purpose.name === 'analytics'))
      assert.equal(manifest.recipients, 'not recorded')

      const downloads = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'rights.export_downloaded',
      })
      assert.equal(downloads.entries.length, 1, 'each download is audited')

      // The link stops working after seven days.
      harness.clock.advance(8 * 86_400_000)
      const expired = await harness.app.inject({ method: 'GET', url: link })
      assert.equal(expired.statusCode, 404)
    })

    test('an erasure leaves no row, no opening sealed value and no identifier of the person', async () => {
      const filed = await fileThroughPortal('erasure', ada.email)
      await ok('POST', `/v1/rights/requests/${filed.id}/verify`, tenant.publicKey, {
        code: await codeFor(ada.email),
      })
      const queued = await ok('GET', `/v1/rights/requests?status=in-progress`, tenant.secretKey)
      assert.ok(queued.json<{ data: { id: string }[] }>().data.some((item) => item.id === filed.id))

      const erasedTables = personalTables.filter((table) => {
        const kind = tableClassification[table]
        return kind.personal && kind.erasure === 'erased'
      })
      const before: Record<string, number> = {}
      for (const table of erasedTables) before[table] = await rowsOf(table)

      const fulfilled = await ok(
        'POST',
        `/v1/rights/requests/${filed.id}/fulfil`,
        tenant.secretKey,
        {},
      )
      const view = fulfilled.json<{
        status: string
        outcome: { sources: Record<string, { outcome: string }> }
      }>()
      assert.equal(view.status, 'completed')
      assert.equal(view.outcome.sources.audit?.outcome, 'retained')
      assert.equal(view.outcome.sources.contacts?.outcome, 'erased')

      // Bob's rows are all still there: only Ada's went.
      const bobs = await ok('GET', `/v1/contacts?email=${bob.email}`, tenant.secretKey)
      assert.equal(bobs.json<{ data: unknown[] }>().data.length, 1)
      const adas = await ok('GET', `/v1/contacts?email=${ada.email}`, tenant.secretKey)
      assert.equal(adas.json<{ data: unknown[] }>().data.length, 0)
      for (const table of erasedTables) {
        assert.ok((await rowsOf(table)) <= (before[table] ?? 0), table)
      }
      const decision = await ok(
        'GET',
        `/v1/consents/decision?externalId=${ada.externalId}&purpose=marketing`,
        tenant.secretKey,
      )
      assert.equal(decision.json<{ allowed: boolean }>().allowed, false)

      const stored = await dumpStore(harness.storage)
      for (const value of [ada.email, ada.externalId, ada.anonymousId, ada.name, ada.page]) {
        for (const encoding of encodingsOf(value)) {
          assert.equal(stored.includes(encoding), false, `${value} is not in the stored bytes`)
        }
      }
      const done = (await readOutbox(harness.outbox))
        .filter((mail) => mail.to.includes(ada.email))
        .at(-1)
      assert.match(done?.text ?? '', /erased your personal data/)
      assert.match(done?.text ?? '', /Art\. 17\(3\)/, 'what is kept, and why')
    })
  })
}
