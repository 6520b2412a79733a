import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { KyselyPlugin, RootOperationNode } from 'kysely'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import type { Database } from '../storage/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import { createGeoLocator } from './geo-ip.js'
import { createEventWriter } from './group-commit.js'
import { ingestEvents } from './ingest-events.js'
import type { TrackingDeps } from './tracking.deps.js'
import { createUserAgentParser } from './user-agent.logic.js'

interface Ingested {
  accepted: number
  duplicates: number
  rejected: { index: number; problem: { code: string } }[]
}

/**
 * The same store seen through a plugin that keeps every statement run through it, as
 * the SQL the dialect compiles: how many writes an ingest makes, counted, not timed.
 */
function countingStatements(db: Database): { db: Database; statements: () => string[] } {
  const nodes: RootOperationNode[] = []
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      nodes.push(node)
      return node
    },
    transformResult: ({ result }) => Promise.resolve(result),
  }
  const counted = db.withPlugin(plugin)
  const compile = (node: RootOperationNode) =>
    counted.getExecutor().compileQuery(node, { queryId: 'counted' }).sql
  return { db: counted, statements: () => nodes.map(compile) }
}

const writesToContacts = (statements: readonly string[]) =>
  statements.filter((text) =>
    /\b(update\s+"?contacts"?|insert\s+into\s+"?contacts"?|delete\s+from\s+"?contacts"?)\s/i.test(
      text,
    ),
  )

for (const dialect of testDialects) {
  describe(
    `a contact's last activity follows its events [${dialect}]`,
    {
      skip: dialectSkip(dialect),
    },
    () => {
      let harness: TestApp
      let tenant: TenantFixture
      let other: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Shop Co')
        other = await createTenant(harness, 'Other Co')
      })
      after(async () => harness.close())

      /** A time `minutes` before the test clock's now, as events carry it. */
      const minutesAgo = (minutes: number) =>
        new Date(harness.clock.now().getTime() - minutes * 60_000).toISOString()

      const consent = async (anonymousId: string, granted = true, key = tenant.publicKey) => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/consents',
          headers: bearer(key),
          payload: { anonymousId, purpose: 'analytics', granted },
        })
        assert.equal(response.statusCode, 201, response.body)
      }

      /** From the customer's server (secret key): it may name external ids without a token. */
      const ingest = async (batch: unknown[], key = tenant.secretKey) => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: bearer(key),
          payload: { batch },
        })
        assert.equal(response.statusCode, 202, response.body)
        return response.json<Ingested>()
      }

      const identify = async (
        anonymousId: string,
        externalId: string,
        at: string,
        key?: string,
      ) => {
        const result = await ingest(
          [{ type: 'identify', anonymousId, externalId, timestamp: at, traits: { plan: 'pro' } }],
          key,
        )
        assert.equal(result.accepted, 1, JSON.stringify(result))
      }

      const createContact = async (externalId: string, key = tenant.secretKey) => {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/v1/contacts',
          headers: bearer(key),
          payload: { externalId },
        })
        assert.equal(response.statusCode, 201, response.body)
      }

      /** The contact's `lastActivityAt` as GET /v1/contacts/{id} shows it. */
      const lastActivityOf = async (externalId: string, key = tenant.secretKey) => {
        const found = await harness.app.inject({
          url: `/v1/contacts?externalId=${externalId}`,
          headers: bearer(key),
        })
        const [contact] = found.json<{ data: { id: string }[] }>().data
        assert.ok(contact, `no contact ${externalId}`)
        const read = await harness.app.inject({
          url: `/v1/contacts/${contact.id}`,
          headers: bearer(key),
        })
        assert.equal(read.statusCode, 200, read.body)
        return read.json<{ lastActivityAt: string | null }>().lastActivityAt
      }

      test('after identify, a later page or track event moves the last activity to when it happened', async () => {
        await consent('visitor-lin')
        await identify('visitor-lin', 'user-lin', minutesAgo(30))
        assert.equal(await lastActivityOf('user-lin'), minutesAgo(30))
        // The server names the visitor alone: identify linked them to the contact.
        const page = await ingest([
          {
            type: 'page',
            anonymousId: 'visitor-lin',
            url: 'https://shop.test/',
            timestamp: minutesAgo(20),
          },
        ])
        assert.equal(page.accepted, 1)
        assert.equal(await lastActivityOf('user-lin'), minutesAgo(20))
        // Or by the external id, as the SDK does once identified.
        const track = await ingest([
          { type: 'track', externalId: 'user-lin', name: 'Paid', timestamp: minutesAgo(10) },
        ])
        assert.equal(track.accepted, 1)
        assert.equal(await lastActivityOf('user-lin'), minutesAgo(10))
      })

      test('an event older than the last activity, late or replayed, does not move it back', async () => {
        await consent('visitor-mo')
        await identify('visitor-mo', 'user-mo', minutesAgo(60))
        const early = {
          id: 'mo-early',
          type: 'track',
          anonymousId: 'visitor-mo',
          name: 'Opened',
          timestamp: minutesAgo(50),
        }
        await ingest([
          early,
          { type: 'track', anonymousId: 'visitor-mo', name: 'Closed', timestamp: minutesAgo(5) },
        ])
        assert.equal(await lastActivityOf('user-mo'), minutesAgo(5))
        const late = await ingest([
          {
            type: 'page',
            anonymousId: 'visitor-mo',
            url: 'https://shop.test/',
            timestamp: minutesAgo(40),
          },
          early,
        ])
        assert.deepEqual([late.accepted, late.duplicates], [2, 1])
        assert.equal(await lastActivityOf('user-mo'), minutesAgo(5))
      })

      test('an event refused for want of consent moves nothing', async () => {
        await consent('visitor-noor')
        await identify('visitor-noor', 'user-noor', minutesAgo(60))
        await ingest([
          { type: 'track', anonymousId: 'visitor-noor', name: 'A', timestamp: minutesAgo(30) },
        ])
        assert.equal(await lastActivityOf('user-noor'), minutesAgo(30))
        await consent('visitor-noor', false)
        const refused = await ingest([
          { type: 'track', anonymousId: 'visitor-noor', name: 'B', timestamp: minutesAgo(1) },
          { type: 'track', externalId: 'user-noor', name: 'C', timestamp: minutesAgo(1) },
        ])
        assert.equal(refused.accepted, 0)
        assert.deepEqual(
          refused.rejected.map((item) => item.problem.code),
          ['consent_denied', 'consent_denied'],
        )
        assert.equal(await lastActivityOf('user-noor'), minutesAgo(30))
      })

      test("another workspace's contact with the same external id is untouched", async () => {
        await consent('visitor-sam', true, other.publicKey)
        await identify('visitor-sam', 'user-sam', minutesAgo(90), other.secretKey)
        await consent('visitor-sam')
        await identify('visitor-sam', 'user-sam', minutesAgo(60))
        await ingest([
          {
            type: 'page',
            anonymousId: 'visitor-sam',
            url: 'https://shop.test/',
            timestamp: minutesAgo(3),
          },
        ])
        await ingest([
          { type: 'track', externalId: 'user-sam', name: 'Paid', timestamp: minutesAgo(2) },
        ])
        assert.equal(await lastActivityOf('user-sam'), minutesAgo(2))
        assert.equal(await lastActivityOf('user-sam', other.secretKey), minutesAgo(90))
      })

      test('a batch of many events for several people makes one write to contacts', async () => {
        // Kim identified; Lee's contact made by the API and named by each event; Max never
        // identified (no contact); Ned refused analytics.
        for (const visitor of ['visitor-kim', 'visitor-lee', 'visitor-max']) await consent(visitor)
        await identify('visitor-kim', 'user-kim', minutesAgo(120))
        await createContact('user-lee')
        await createContact('user-ned')
        const counted = countingStatements(harness.storage.db)
        const deps: TrackingDeps = {
          db: counted.db,
          keyring: harness.keyring,
          audit: harness.audit,
          clock: harness.clock,
          writer: createEventWriter(counted.db),
          geo: createGeoLocator(),
          parseUserAgent: createUserAgentParser(),
        }
        const batch = Array.from({ length: 60 }, (_, n) => {
          const at = minutesAgo(60 - n)
          const track = { type: 'track', name: `Step ${n}`, timestamp: at }
          if (n % 4 === 0) return { ...track, anonymousId: 'visitor-kim' }
          if (n % 4 === 1) return { ...track, anonymousId: 'visitor-lee', externalId: 'user-lee' }
          if (n % 4 === 2) return { ...track, anonymousId: 'visitor-max' }
          return { ...track, anonymousId: 'visitor-ned', externalId: 'user-ned' }
        })
        try {
          const result = await ingestEvents(deps, {
            principal: { kind: 'secret-key', workspaceId: tenant.workspaceId, apiKeyId: 'test' },
            batch,
            origin: { ip: null, userAgent: null },
            requestId: null,
          })
          assert.equal(result.accepted, 45)
          assert.equal(result.rejected.length, 15)
        } finally {
          await deps.writer.close()
          deps.geo.close()
        }
        const statements = counted.statements()
        assert.equal(writesToContacts(statements).length, 1, statements.join('\n'))
        // The latest of each person's events: n = 56 for Kim, 57 for Lee.
        assert.equal(await lastActivityOf('user-kim'), minutesAgo(4))
        assert.equal(await lastActivityOf('user-lee'), minutesAgo(3))
        assert.equal(await lastActivityOf('user-ned'), null)
      })
    },
  )
}
