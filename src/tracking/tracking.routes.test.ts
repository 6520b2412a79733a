import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { eraseSubject } from '../subjects/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

const chromeOnWindows =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36'
const safariOnIphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
// An address the DB-IP Lite data places in London.
const londonIp = '81.2.69.142'

interface Ingested {
  accepted: number
  duplicates: number
  rejected: {
    index: number
    problem: { code: string; status: number; type: string; errors?: { field: string }[] }
  }[]
}

for (const dialect of testDialects) {
  describe(`tracking ingest [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let other: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Shop Co')
      other = await createTenant(harness, 'Other Co')
    })
    after(async () => harness.close())

    const grant = async (anonymousId: string, purpose = 'analytics', key = tenant.publicKey) => {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(key),
        payload: { anonymousId, purpose, granted: true },
      })
      assert.equal(response.statusCode, 201, response.body)
    }

    const ingest = (
      batch: unknown[],
      options: { key?: string; ip?: string; userAgent?: string } = {},
    ) =>
      harness.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: {
          ...bearer(options.key ?? tenant.publicKey),
          'user-agent': options.userAgent ?? chromeOnWindows,
        },
        remoteAddress: options.ip ?? '127.0.0.1',
        payload: { batch },
      })

    const eventsOf = async (query: string, key = tenant.secretKey) => {
      const response = await harness.app.inject({
        url: `/v1/events?${query}`,
        headers: bearer(key),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json<{
        data: {
          id: string
          type: string
          browser: string | null
          os: string | null
          device: string
          country: string | null
          occurredAt: string
          payload: Record<string, unknown> | null
        }[]
        nextCursor: string | null
        next: string | null
        attribution: string
      }>()
    }

    const tokenFor = async (externalId: string, key = tenant.secretKey) => {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/v1/identity-tokens',
        headers: bearer(key),
        payload: { externalId },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json<{ token: string }>().token
    }

    const storedRows = async (workspaceId: string) =>
      Number(
        (
          await harness.storage.db
            .selectFrom('tracking_events')
            .select((eb) => eb.fn.countAll().as('count'))
            .where('workspace_id', '=', workspaceId)
            .executeTakeFirstOrThrow()
        ).count,
      )

    test('malformed events are rejected one by one with their index while the rest land', async () => {
      await grant('visitor-mixed')
      const page = { type: 'page', anonymousId: 'visitor-mixed', url: 'https://shop.test/a?q=1' }
      const response = await ingest([
        page,
        { type: 'shout', anonymousId: 'visitor-mixed' },
        {
          type: 'track',
          anonymousId: 'visitor-mixed',
          name: 'Added to cart',
          properties: { sku: 'A1' },
        },
        { type: 'track', anonymousId: 'visitor-mixed' },
        'not an object',
        { type: 'page', anonymousId: 'visitor-mixed', url: 'javascript:alert(1)' },
        { type: 'page', url: 'https://shop.test/' },
        { ...page, timestamp: 'yesterday' },
        { ...page, screen: { width: 1280, height: 720 }, extra: true },
        { ...page, screen: { width: 1280, height: 720 } },
      ])
      assert.equal(response.statusCode, 202, response.body)
      const result = response.json<Ingested>()
      assert.equal(result.accepted, 3)
      assert.deepEqual(
        result.rejected.map((item) => item.index),
        [1, 3, 4, 5, 6, 7, 8],
      )
      for (const item of result.rejected) {
        assert.equal(item.problem.code, 'invalid_request')
        assert.equal(item.problem.status, 400)
        assert.equal(item.problem.type, '/problems/invalid_request')
      }
      const fields = result.rejected.map((item) => item.problem.errors?.[0]?.field)
      assert.deepEqual(fields, ['type', 'name', '', 'url', 'anonymousId', 'timestamp', 'extra'])
      const stored = await eventsOf('anonymousId=visitor-mixed')
      assert.equal(stored.data.length, 3)
      const track = stored.data.find((event) => event.type === 'track')
      assert.ok(track?.payload)
      assert.deepEqual(track.payload.properties, { sku: 'A1' })
      assert.equal(track.payload.name, 'Added to cart')
    })

    test('without analytics consent nothing of an event is stored; it is rejected for consent', async () => {
      const before = await storedRows(tenant.workspaceId)
      const response = await ingest([
        { type: 'page', anonymousId: 'visitor-silent', url: 'https://shop.test/' },
        { type: 'track', anonymousId: 'visitor-silent', name: 'Clicked' },
      ])
      assert.equal(response.statusCode, 202)
      const result = response.json<Ingested>()
      assert.equal(result.accepted, 0)
      assert.deepEqual(
        result.rejected.map((item) => [item.index, item.problem.code, item.problem.status]),
        [
          [0, 'consent_denied', 403],
          [1, 'consent_denied', 403],
        ],
      )
      assert.equal(await storedRows(tenant.workspaceId), before)
      // One audited refusal for the visitor, not one per event.
      const log = await harness.audit.listEntries(tenant.workspaceId, { action: 'consent.denied' })
      assert.equal(log.entries.length, 1)
    })

    test('a withdrawn consent stops the next batch', async () => {
      await grant('visitor-withdraws')
      const first = await ingest([
        { type: 'page', anonymousId: 'visitor-withdraws', url: 'https://shop.test/' },
      ])
      assert.equal(first.json<Ingested>().accepted, 1)
      await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.publicKey),
        payload: { anonymousId: 'visitor-withdraws', purpose: 'analytics', granted: false },
      })
      const second = await ingest([
        { type: 'page', anonymousId: 'visitor-withdraws', url: 'https://shop.test/b' },
      ])
      assert.equal(second.json<Ingested>().rejected[0]?.problem.code, 'consent_denied')
      assert.equal((await eventsOf('anonymousId=visitor-withdraws')).data.length, 1)
    })

    test('a replayed event id is stored once, across requests and within one batch', async () => {
      await grant('visitor-retry')
      const event = { id: 'evt-0001', type: 'track', anonymousId: 'visitor-retry', name: 'Paid' }
      const first = (await ingest([event, { ...event }])).json<Ingested>()
      assert.deepEqual([first.accepted, first.duplicates], [2, 1])
      const again = (await ingest([event])).json<Ingested>()
      assert.deepEqual([again.accepted, again.duplicates, again.rejected.length], [1, 1, 0])
      const stored = await eventsOf('anonymousId=visitor-retry')
      assert.deepEqual(
        stored.data.map((item) => item.id),
        ['evt-0001'],
      )
      // Ids are per workspace: another tenant may use the same one.
      await grant('their-visitor', 'analytics', other.publicKey)
      const theirs = await ingest([{ ...event, anonymousId: 'their-visitor' }], {
        key: other.publicKey,
      })
      assert.deepEqual(theirs.json<Ingested>().duplicates, 0)
    })

    test('events without an id get one from the server; concurrent batches all land', async () => {
      await grant('visitor-busy')
      const batches = Array.from({ length: 8 }, (_, batchIndex) =>
        Array.from({ length: 25 }, (_, index) => ({
          type: 'track',
          anonymousId: 'visitor-busy',
          name: `step-${batchIndex}-${index}`,
        })),
      )
      const results = await Promise.all(batches.map((batch) => ingest(batch)))
      for (const result of results) assert.equal(result.json<Ingested>().accepted, 25)
      const ids = new Set<string>()
      let cursor: string | null = null
      do {
        const page = await eventsOf(
          `anonymousId=visitor-busy&limit=70${cursor ? `&cursor=${cursor}` : ''}`,
        )
        for (const item of page.data) ids.add(item.id)
        cursor = page.nextCursor
      } while (cursor !== null)
      assert.equal(ids.size, 200)
    })

    test('user agent, screen and location are added on the server; the IP is truncated by default', async () => {
      await grant('visitor-london')
      const response = await ingest(
        [
          {
            type: 'page',
            anonymousId: 'visitor-london',
            url: 'https://shop.test/checkout?coupon=SECRET',
            referrer: 'https://search.test/?q=shoes',
            title: 'Checkout',
            screen: { width: 1920, height: 1080 },
          },
        ],
        { ip: londonIp },
      )
      assert.equal(response.json<Ingested>().accepted, 1)
      const [event] = (await eventsOf('anonymousId=visitor-london')).data
      assert.ok(event?.payload)
      const { payload } = event
      assert.deepEqual(
        [event.browser, event.os, event.device, event.country],
        ['Chrome', 'Windows', 'desktop', 'GB'],
      )
      assert.equal(payload.city, 'London')
      assert.equal(payload.ip, '81.2.69.0')
      assert.deepEqual(payload.screen, { width: 1920, height: 1080 })
      assert.equal(payload.url, 'https://shop.test/checkout?coupon=SECRET')
      assert.equal(payload.userAgent, chromeOnWindows)
    })

    test('the workspace IP setting keeps the address whole (sealed) or not at all', async () => {
      const setIpStorage = async (ipStorage: string) => {
        const response = await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(tenant.secretKey),
          payload: { settings: { tracking: { ipStorage } } },
        })
        assert.equal(response.statusCode, 200, response.body)
      }
      await grant('visitor-ip')
      await setIpStorage('full')
      await ingest([{ id: 'ip-full', type: 'track', anonymousId: 'visitor-ip', name: 'a' }], {
        ip: '2a00:1450:4001:81b::200e',
        userAgent: safariOnIphone,
      })
      await setIpStorage('none')
      await ingest([{ id: 'ip-none', type: 'track', anonymousId: 'visitor-ip', name: 'b' }], {
        ip: londonIp,
      })
      await setIpStorage('truncated')
      await ingest([{ id: 'ip-cut', type: 'track', anonymousId: 'visitor-ip', name: 'c' }], {
        ip: '2a00:1450:4001:81b::200e',
      })
      const byId = new Map((await eventsOf('anonymousId=visitor-ip')).data.map((e) => [e.id, e]))
      assert.equal(byId.get('ip-full')?.payload?.ip, '2a00:1450:4001:81b::200e')
      assert.equal(byId.get('ip-full')?.device, 'mobile')
      assert.equal(byId.get('ip-full')?.os, 'iOS')
      assert.equal(byId.get('ip-none')?.payload?.ip, undefined)
      // Location is looked up before the address is dropped.
      assert.equal(byId.get('ip-none')?.country, 'GB')
      assert.equal(byId.get('ip-cut')?.payload?.ip, '2a00:1450:4001::')
    })

    test('personal fields are sealed: the stored row shows no URL, title, property or IP', async () => {
      await grant('visitor-sealed')
      await ingest(
        [
          {
            type: 'track',
            anonymousId: 'visitor-sealed',
            name: 'Searched',
            url: 'https://shop.test/?q=plaintext-marker-url',
            title: 'plaintext-marker-title',
            properties: { term: 'plaintext-marker-prop' },
          },
        ],
        { ip: londonIp },
      )
      const rows = await harness.storage.db.selectFrom('tracking_events').selectAll().execute()
      const dump = rows
        .map((row) =>
          Object.values(row)
            .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
            .join('|'),
        )
        .join('\n')
      for (const marker of [
        'plaintext-marker',
        'visitor-sealed',
        '81.2.69',
        'London',
        'Searched',
      ]) {
        assert.ok(!dump.includes(marker), `${marker} is stored in clear`)
      }
    })

    test('identify links the visitor to a contact and carries its consents and history over', async () => {
      await grant('visitor-ada')
      await ingest([{ type: 'page', anonymousId: 'visitor-ada', url: 'https://shop.test/' }])
      const identityToken = await tokenFor('user-ada')
      const response = await ingest([
        {
          type: 'identify',
          anonymousId: 'visitor-ada',
          externalId: 'user-ada',
          identityToken,
          traits: { email: 'ada@example.com', name: 'Ada', plan: 'pro' },
        },
        {
          type: 'track',
          anonymousId: 'visitor-ada',
          externalId: 'user-ada',
          identityToken,
          name: 'Upgraded',
        },
      ])
      assert.equal(response.json<Ingested>().accepted, 2, response.body)
      const contacts = await harness.app.inject({
        url: '/v1/contacts?externalId=user-ada',
        headers: bearer(tenant.secretKey),
      })
      const [contact] = contacts.json<{
        data: { email: string; lastActivityAt: string | null }[]
      }>().data
      assert.ok(contact)
      assert.equal(contact.email, 'ada@example.com')
      assert.ok(contact.lastActivityAt)
      const consents = await harness.app.inject({
        url: '/v1/consents?externalId=user-ada',
        headers: bearer(tenant.secretKey),
      })
      const analytics = consents
        .json<{ purposes: { purpose: string; granted: boolean | null }[] }>()
        .purposes.find((item) => item.purpose === 'analytics')
      assert.equal(analytics?.granted, true)
      // The server may now send events by external id alone: consent came with the link.
      const server = await ingest(
        [{ type: 'track', externalId: 'user-ada', name: 'Renewed', context: { ip: londonIp } }],
        { key: tenant.secretKey },
      )
      assert.equal(server.json<Ingested>().accepted, 1, server.body)
      const known = await eventsOf('externalId=user-ada')
      assert.deepEqual(known.data.map((event) => event.type).sort(), [
        'identify',
        'page',
        'track',
        'track',
      ])
      assert.equal(known.data.find((event) => event.payload?.name === 'Renewed')?.country, 'GB')
    })

    /** Every event id the API returns for `query`, following `next` page by page. */
    const pagedIds = async (query: string, limit: number) => {
      const pages: string[][] = []
      let cursor: string | null = null
      do {
        const page = await eventsOf(`${query}&limit=${limit}${cursor ? `&before=${cursor}` : ''}`)
        pages.push(page.data.map((event) => event.id))
        // The deprecated names (before, next) still page, one release long.
        assert.equal(page.next, page.nextCursor)
        cursor = page.next
      } while (cursor !== null && pages.length < 20)
      return pages
    }

    test('after identify, reading by either id returns the whole history, newest first, paged across it', async () => {
      // Grace: her anonymous subject takes her external id on identify.
      await grant('visitor-grace')
      const sent = async (batch: unknown[], key = tenant.publicKey) => {
        harness.clock.advance(1_000)
        const response = await ingest(batch, { key })
        assert.equal(response.json<Ingested>().accepted, batch.length, response.body)
      }
      for (const n of [1, 2, 3]) {
        await sent([
          {
            id: `grace-page-${n}`,
            type: 'page',
            anonymousId: 'visitor-grace',
            url: `https://shop.test/${n}`,
          },
        ])
      }
      await sent([
        {
          id: 'grace-identify',
          type: 'identify',
          anonymousId: 'visitor-grace',
          externalId: 'user-grace',
          identityToken: await tokenFor('user-grace'),
        },
      ])
      await sent(
        [{ id: 'grace-renewed', type: 'track', externalId: 'user-grace', name: 'Renewed' }],
        tenant.secretKey,
      )
      const graceHistory = [
        'grace-renewed',
        'grace-identify',
        'grace-page-3',
        'grace-page-2',
        'grace-page-1',
      ]
      const reads = async () =>
        (await harness.audit.listEntries(tenant.workspaceId, { action: 'events.read' })).entries
          .length
      const readsBefore = await reads()
      assert.deepEqual(
        (await eventsOf('externalId=user-grace')).data.map((e) => e.id),
        graceHistory,
      )
      assert.equal(await reads(), readsBefore + 1, 'one audited read per request')
      assert.deepEqual(await pagedIds('externalId=user-grace', 2), [
        ['grace-renewed', 'grace-identify'],
        ['grace-page-3', 'grace-page-2'],
        ['grace-page-1'],
      ])
      assert.deepEqual((await pagedIds('anonymousId=visitor-grace', 3)).flat(), graceHistory)

      // Hopper: known by external id first, then her separate anonymous subject is merged in.
      const contactGrant = await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.secretKey),
        payload: { externalId: 'user-hopper', purpose: 'analytics', granted: true },
      })
      assert.equal(contactGrant.statusCode, 201, contactGrant.body)
      await sent(
        [{ id: 'hopper-server', type: 'track', externalId: 'user-hopper', name: 'Invoiced' }],
        tenant.secretKey,
      )
      await grant('visitor-hopper')
      await sent([
        {
          id: 'hopper-page-1',
          type: 'page',
          anonymousId: 'visitor-hopper',
          url: 'https://shop.test/a',
        },
      ])
      await sent([
        {
          id: 'hopper-page-2',
          type: 'page',
          anonymousId: 'visitor-hopper',
          url: 'https://shop.test/b',
        },
      ])
      await sent([
        {
          id: 'hopper-identify',
          type: 'identify',
          anonymousId: 'visitor-hopper',
          externalId: 'user-hopper',
          identityToken: await tokenFor('user-hopper'),
        },
      ])
      const hopperHistory = ['hopper-identify', 'hopper-page-2', 'hopper-page-1', 'hopper-server']
      assert.deepEqual((await pagedIds('externalId=user-hopper', 3)).flat(), hopperHistory)
      assert.deepEqual((await pagedIds('anonymousId=visitor-hopper', 1)).flat(), hopperHistory)
      const opened = await eventsOf('externalId=user-hopper')
      assert.equal(
        opened.data.find((e) => e.id === 'hopper-page-1')?.payload?.url,
        'https://shop.test/a',
      )
      // Neither person's history leaks into the other's, nor into another workspace.
      assert.deepEqual((await eventsOf('externalId=user-grace', other.secretKey)).data, [])
    })

    test("from a page, nobody can claim another person's external id (and consents)", async () => {
      // The victim has consented to nothing; the attacker grants everything to their own
      // anonymous id and then tries to identify as the victim with the public key.
      await ingest([{ type: 'identify', externalId: 'user-victim', traits: { name: 'Victim' } }], {
        key: tenant.secretKey,
      })
      await grant('visitor-mallory')
      await grant('visitor-mallory', 'marketing')
      const forged = await ingest([
        { type: 'identify', anonymousId: 'visitor-mallory', externalId: 'user-victim' },
        {
          type: 'identify',
          anonymousId: 'visitor-mallory',
          externalId: 'user-victim',
          identityToken: await tokenFor('user-mallory'),
        },
        {
          type: 'track',
          anonymousId: 'visitor-mallory',
          externalId: 'user-victim',
          identityToken: 'A'.repeat(43),
          name: 'Spoofed',
        },
      ])
      const result = forged.json<Ingested>()
      assert.equal(result.accepted, 0)
      for (const item of result.rejected) {
        assert.equal(item.problem.code, 'forbidden')
        assert.equal(item.problem.errors?.[0]?.field, 'identityToken')
      }
      const victim = await harness.app.inject({
        url: '/v1/consents/decision?externalId=user-victim&purpose=marketing',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(victim.json<{ allowed: boolean }>().allowed, false)
      assert.equal((await eventsOf('externalId=user-victim')).data.length, 0)
      // Tokens are per workspace too.
      const otherToken = await tokenFor('user-victim', other.secretKey)
      assert.notEqual(otherToken, await tokenFor('user-victim'))
    })

    test('the public key may not relay an IP or user agent; the secret key may', async () => {
      await grant('visitor-relay')
      const relayed = {
        type: 'page',
        anonymousId: 'visitor-relay',
        url: 'https://shop.test/',
        context: { ip: londonIp },
      }
      const fromBrowser = (await ingest([relayed])).json<Ingested>()
      assert.equal(fromBrowser.rejected[0]?.problem.errors?.[0]?.field, 'context')
      const fromServer = (await ingest([relayed], { key: tenant.secretKey })).json<Ingested>()
      assert.equal(fromServer.accepted, 1)
    })

    test('batches over 500 events are refused whole; bodies over the limit get 413', async () => {
      const many = Array.from({ length: 501 }, () => ({
        type: 'page',
        anonymousId: 'x',
        url: 'https://a.test/',
      }))
      const tooMany = await ingest(many)
      assert.equal(tooMany.statusCode, 400)
      assert.equal(tooMany.json().code, 'invalid_request')
      const huge = await ingest([
        {
          type: 'track',
          anonymousId: 'x',
          name: 'big',
          properties: { blob: 'x'.repeat(1024 * 1024) },
        },
      ])
      assert.equal(huge.statusCode, 413)
      assert.equal(huge.json().code, 'payload_too_large')
      assert.match(String(huge.headers['content-type']), /application\/problem\+json/)
      const empty = await ingest([])
      assert.equal(empty.statusCode, 400)
    })

    test('sendBeacon: a text/plain body with the public key as writeKey; never a secret key', async () => {
      await grant('visitor-beacon')
      const beacon = (writeKey: string) =>
        harness.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.test' },
          payload: JSON.stringify({
            writeKey,
            batch: [{ type: 'page', anonymousId: 'visitor-beacon', url: 'https://shop.test/bye' }],
          }),
        })
      const sent = await beacon(tenant.publicKey)
      assert.equal(sent.statusCode, 202, sent.body)
      assert.equal(sent.json<Ingested>().accepted, 1)
      assert.equal(sent.headers['access-control-allow-origin'], '*')
      assert.equal((await beacon(tenant.secretKey)).statusCode, 401)
      assert.equal((await beacon('cus_pk_unknown')).statusCode, 401)
      const noKey = await harness.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify({
          batch: [{ type: 'page', anonymousId: 'a', url: 'https://a.test/' }],
        }),
      })
      assert.equal(noKey.statusCode, 401)
    })

    test('CORS: the SDK routes answer any origin without credentials; others do not', async () => {
      for (const url of ['/v1/events', '/v1/consents']) {
        const preflight = await harness.app.inject({
          method: 'OPTIONS',
          url,
          headers: {
            origin: 'https://shop.test',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        })
        assert.equal(preflight.statusCode, 204)
        assert.equal(preflight.headers['access-control-allow-origin'], '*')
        assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/)
        assert.equal(preflight.headers['access-control-allow-credentials'], undefined)
      }
      const contacts = await harness.app.inject({
        url: '/v1/contacts?externalId=user-ada',
        headers: { ...bearer(tenant.secretKey), origin: 'https://shop.test' },
      })
      assert.equal(contacts.headers['access-control-allow-origin'], undefined)
      const refused = await harness.app.inject({
        method: 'OPTIONS',
        url: '/v1/contacts',
        headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST' },
      })
      assert.notEqual(refused.statusCode, 204)
    })

    test('erasing a visitor through the registry walk shreds their key and deletes their events', async () => {
      await grant('visitor-erase')
      await ingest([{ type: 'page', anonymousId: 'visitor-erase', url: 'https://shop.test/' }])
      const report = await eraseSubject(harness.modules.subjects, {
        workspaceId: tenant.workspaceId,
        names: [{ anonymousId: 'visitor-erase' }],
        actor: { actorType: 'system', actorId: null },
      })
      assert.deepEqual(report.sources.tracking, { outcome: 'erased', rows: { tracking_events: 1 } })
      assert.deepEqual((await eventsOf('anonymousId=visitor-erase')).data, [])
    })

    test("reading events is the secret key's or an operator's, audited, and walled per tenant", async () => {
      const byPublic = await harness.app.inject({
        url: '/v1/events?anonymousId=visitor-mixed',
        headers: bearer(tenant.publicKey),
      })
      assert.equal(byPublic.statusCode, 403)
      const foreign = await eventsOf('anonymousId=visitor-mixed', other.secretKey)
      assert.deepEqual(foreign.data, [])
      const page = await eventsOf('anonymousId=visitor-mixed')
      assert.match(page.attribution, /DB-IP/)
      const log = await harness.audit.listEntries(tenant.workspaceId, { action: 'events.read' })
      assert.ok(log.entries.length > 0)
      const bad = await harness.app.inject({
        url: '/v1/events?anonymousId=a&before=not-a-cursor',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(bad.statusCode, 400)
      const twoCursors = await harness.app.inject({
        url: '/v1/events?anonymousId=a&cursor=abc&before=abd',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(twoCursors.statusCode, 400)
      const both = await harness.app.inject({
        url: '/v1/events?anonymousId=a&externalId=b',
        headers: bearer(tenant.secretKey),
      })
      assert.equal(both.statusCode, 400)
    })
  })
}

describe('tracking behind a reverse proxy', () => {
  test('X-Forwarded-For counts only from the proxies CUSTODIAN_TRUST_PROXY names', async () => {
    for (const [trusted, country] of [
      ['127.0.0.1', 'GB'],
      [undefined, null],
    ] as const) {
      const harness = await buildTestApp(
        trusted === undefined ? {} : { env: { CUSTODIAN_TRUST_PROXY: trusted } },
      )
      try {
        const tenant = await createTenant(harness, 'Proxied')
        await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: bearer(tenant.publicKey),
          payload: { anonymousId: 'visitor-proxied', purpose: 'analytics', granted: true },
        })
        const sent = await harness.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { ...bearer(tenant.publicKey), 'x-forwarded-for': londonIp },
          remoteAddress: '127.0.0.1',
          payload: { batch: [{ type: 'track', anonymousId: 'visitor-proxied', name: 'Hi' }] },
        })
        assert.equal(sent.json<Ingested>().accepted, 1)
        const read = await harness.app.inject({
          url: '/v1/events?anonymousId=visitor-proxied',
          headers: bearer(tenant.secretKey),
        })
        assert.equal(read.json<{ data: { country: string | null }[] }>().data[0]?.country, country)
      } finally {
        await harness.close()
      }
    }
  })
})
