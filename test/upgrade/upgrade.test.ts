import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { totpCodeAt } from '../../src/identity/totp.js'
import { testDialects, dialectSkip } from '../../src/storage/testing/dialects.js'
import { migrateToLatest } from '../../src/storage/migrate.js'
import {
  collectingWriter,
  exportSubject,
  resolveSubject,
  type SubjectName,
} from '../../src/subjects/index.js'
import { buildTestApp, type TestApp } from '../../src/testing/test-app.js'
import type { Reassignments } from './contains-answer.js'
import { type FixtureContact, type FixtureFacts, readFixture } from './fixture-file.js'
import { openReleaseStore } from './load-fixture.js'
import { lostOrGainedRows, openEverySealedValue, replay, rowCounts } from './upgraded-store.js'

/**
 * Upgrade without loss (issue 16, item 8): a store made by an older release, through its
 * own CLI and API (make-fixture.ts), is migrated by today's code and opened with its
 * master key; everything it held reads back, by every identifier, on both dialects.
 *
 * When a migration changes storage, this test keeps proving the release's data
 * survives it; a new release worth pinning gets a fixture of its own beside this one
 * (run make-fixture.ts against it and add its file to `fixtures` below).
 */
const fixtures = ['c6a3ec2.json']

/** Tables a migration may change the row count of on purpose, with why. None yet. */
const rowsChangedOnPurpose: Readonly<Record<string, string>> = {}

/**
 * Answer fields whose ids a migration may give anew, consistently (contains-answer.ts):
 * `subjectId` once people are re-keyed by the subjects module, say. None yet.
 */
const reassignableFields: ReadonlySet<string> = new Set()

/**
 * Reads whose answer a migration changes on purpose: why, and the read (made from the
 * fixture's facts) whose answer today's must now equal.
 */
const answersChangedOnPurpose: Readonly<
  Record<string, { why: string; answersAs: (facts: FixtureFacts) => string }>
> = {
  '/v1/consents/decision?purpose=marketing&email=Ada.Lovelace%40Example.com': {
    why: "migration 0013 gives a contact's email to its person's subject: Ada's email now names the visitor who signed in as her and decides as her external id does (the release did not know the email's owner)",
    answersAs: (facts) =>
      `/v1/consents/decision?purpose=marketing&externalId=${contactNamed(facts.contacts, 'Ada Lovelace').externalId ?? ''}`,
  },
}

const actor = { actorType: 'system' as const, actorId: null }

for (const file of fixtures) {
  const fixture = readFixture(new URL(file, import.meta.url))
  const { facts } = fixture
  const release = fixture.madeBy.commit.slice(0, 7)
  const ada = contactNamed(facts.contacts, 'Ada Lovelace')
  const bruno = contactNamed(facts.contacts, 'Bruno Bauer')
  const dora = contactNamed(facts.contacts, 'Dora Deleted')

  for (const dialect of testDialects) {
    describe(
      `a store made by ${release} upgrades without loss [${dialect}]`,
      { skip: dialectSkip(dialect) },
      () => {
        let harness: TestApp
        let countsAfterMigrations: Record<string, number>

        before(async () => {
          const store = await openReleaseStore(dialect, fixture)
          try {
            await migrateToLatest(store.storage)
            countsAfterMigrations = await rowCounts(store.storage)
          } catch (error) {
            await store.cleanup()
            throw error
          }
          harness = await buildTestApp({
            store,
            env: { CUSTODIAN_MASTER_KEY: fixture.testOnlyMasterKey },
            // Just after the release stopped: its sessions and TOTP steps are as it left them.
            startAt: new Date(Date.parse(fixture.madeBy.at) + 60_000),
          })
        })
        after(async () => harness.close())

        const call = async (url: string, key = facts.workspace.secretKey) =>
          harness.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } })

        test('the migrations keep every row of every table they keep', () => {
          const changed = Object.entries(lostOrGainedRows(fixture, countsAfterMigrations)).filter(
            ([table]) => !Object.hasOwn(rowsChangedOnPurpose, table),
          )
          assert.deepEqual(Object.fromEntries(changed), {})
        })

        test('every sealed value opens under its subject key and the master key', async () => {
          const opened = await openEverySealedValue(harness)
          for (const table of ['operators', 'contacts', 'consent_events', 'tracking_events']) {
            assert.ok((opened[table] ?? 0) > 0, `${table}: nothing was opened`)
          }
        })

        test('every read the release answered is answered the same', async () => {
          const broken: string[] = []
          // One for every answer: an id given anew is the same new id wherever it shows.
          const reassignments: Reassignments = { fields: reassignableFields, seen: new Map() }
          for (const read of fixture.reads) {
            const changed = answersChangedOnPurpose[read.url]
            const expected =
              changed === undefined
                ? read
                : { ...read, body: (await call(changed.answersAs(facts))).json<unknown>() }
            const missing = await replay(harness, facts, expected, reassignments)
            if (missing.length > 0) broken.push(`${read.url} (${read.auth}): ${missing.join('; ')}`)
          }
          assert.deepEqual(broken, [])
          for (const url of Object.keys(answersChangedOnPurpose)) {
            assert.ok(
              fixture.reads.some((read) => read.url === url),
              `${url} is not a read of the fixture`,
            )
          }
        })

        test("the release's API keys still authenticate", async () => {
          const { publicKey, secretKey, extraSecretKey } = facts.workspace
          for (const key of [secretKey, extraSecretKey]) {
            assert.equal((await call('/v1/workspace', key)).statusCode, 200)
          }
          assert.equal((await call('/v1/purposes', publicKey)).statusCode, 200)
          assert.equal((await call('/v1/workspace', `${secretKey}x`)).statusCode, 401)
        })

        test('contacts read back by id, email in any case and external id', async () => {
          for (const contact of facts.contacts.filter((item) => !item.erased)) {
            const byId = await call(`/v1/contacts/${contact.id}`)
            assert.equal(byId.statusCode, 200, byId.body)
            const view = byId.json()
            assert.equal(view.email, contact.email ?? null)
            assert.equal(view.externalId, contact.externalId ?? null)
            assert.equal(view.name, contact.name ?? null)
            assert.deepEqual(view.attributes, contact.attributes)
            const lookups = [
              ...(contact.email === undefined
                ? []
                : [`email=${encodeURIComponent(contact.email.toUpperCase())}`]),
              ...(contact.externalId === undefined ? [] : [`externalId=${contact.externalId}`]),
            ]
            for (const lookup of lookups) {
              const found = (await call(`/v1/contacts?${lookup}`)).json().data
              assert.deepEqual(
                found.map((item: { id: string }) => item.id),
                [contact.id],
                lookup,
              )
            }
          }
          assert.equal((await call(`/v1/contacts/${dora.id}`)).statusCode, 404)
        })

        test("a visitor's history follows identify, and new events join it", async () => {
          const [visitor] = facts.visitors
          assert.ok(visitor?.identifiedAs !== undefined)
          const page = {
            type: 'page',
            anonymousId: visitor.anonymousId,
            url: 'https://shop.example/after-upgrade',
          }
          const ingest = await harness.app.inject({
            method: 'POST',
            url: '/v1/events',
            headers: { authorization: `Bearer ${facts.workspace.secretKey}` },
            payload: { batch: [page] },
          })
          assert.equal(ingest.json().accepted, 1, ingest.body)
          const events = (await call(`/v1/events?externalId=${visitor.identifiedAs}`)).json().data
          const urls = events.map(
            (event: { payload: { url?: string } | null }) => event.payload?.url,
          )
          for (const url of [...visitor.pages, page.url]) assert.ok(urls.includes(url), url)
        })

        test('an email the release indexed still holds its place', async () => {
          const again = await harness.app.inject({
            method: 'POST',
            url: '/v1/contacts',
            headers: { authorization: `Bearer ${facts.workspace.secretKey}` },
            payload: { email: bruno.email?.toUpperCase(), name: 'Someone Else' },
          })
          assert.equal(again.statusCode, 409, again.body)
        })

        test('the owner signs in by email alone, with password and TOTP, then by recovery code', async () => {
          const { owner } = facts
          assert.ok(owner.totpSecret !== undefined && owner.unusedRecoveryCode !== undefined)
          // No workspace named: an operator the release made has no instance-wide email index.
          const byEmail = await harness.app.inject({
            method: 'POST',
            url: '/v1/auth/login',
            payload: {
              email: owner.email.toLowerCase(),
              password: owner.password,
              totpCode: totpCodeAt(owner.totpSecret, harness.clock.now()),
            },
          })
          assert.equal(byEmail.statusCode, 200, byEmail.body)
          assert.equal(byEmail.json().operator.id, owner.id)
          const byRecovery = await harness.app.inject({
            method: 'POST',
            url: '/v1/auth/login',
            payload: {
              workspaceId: facts.workspace.id,
              email: owner.email,
              password: owner.password,
              recoveryCode: owner.unusedRecoveryCode,
            },
          })
          assert.equal(byRecovery.statusCode, 200, byRecovery.body)
        })

        test('the agent signs in by email alone; a wrong password is still refused', async () => {
          const { agent } = facts
          const attempt = (password: string) =>
            harness.app.inject({
              method: 'POST',
              url: '/v1/auth/login',
              payload: { email: agent.email.toUpperCase(), password },
            })
          const signedIn = await attempt(agent.password)
          assert.equal(signedIn.statusCode, 200, signedIn.body)
          assert.equal(signedIn.json().operator.id, agent.id)
          assert.equal((await attempt(`${agent.password}!`)).statusCode, 401)
        })

        test('the registry walks find each person in every module and export them', async () => {
          const deps = harness.modules.subjects
          const { workspace } = facts
          assert.ok(ada.email !== undefined && ada.externalId !== undefined)
          const { located, subject } = await resolveSubject(deps, workspace.id, [
            { email: ada.email.toLowerCase() },
          ])
          assert.equal(located.contacts?.rows.contacts, 1)
          assert.ok((located.consent?.rows.consent_events ?? 0) >= 4)
          assert.ok(
            (located.tracking?.rows.tracking_events ?? 0) >= 4,
            'events before identify too',
          )
          assert.ok(subject.keyHolders.includes(ada.id))
          const writer = collectingWriter()
          await exportSubject(
            deps,
            { workspaceId: workspace.id, names: [{ externalId: ada.externalId }], actor },
            writer,
          )
          const exported = JSON.stringify(writer.collected)
          for (const value of [
            ada.email,
            ada.name ?? '',
            'Analytical Engines Ltd',
            ...(facts.visitors[0]?.pages ?? []),
          ]) {
            assert.ok(exported.includes(value), value)
          }
          assert.ok(!exported.includes(bruno.email ?? ''), 'nobody else')

          const operator = await resolveSubject(deps, workspace.id, [{ email: facts.owner.email }])
          assert.equal(operator.located.identity?.rows.operators, 1)
          assert.ok(dora.email !== undefined)
          const erased = await resolveSubject(deps, workspace.id, [{ email: dora.email }])
          assert.equal(erased.located.contacts?.rows.contacts ?? 0, 0)
        })

        test('a legacy contact and the legacy visitor who signed in as it resolve to one subject', async () => {
          const deps = harness.modules.subjects
          const [visitor] = facts.visitors
          assert.ok(visitor !== undefined && visitor.identifiedAs === ada.externalId)
          assert.ok(ada.email !== undefined && ada.externalId !== undefined)
          // The release's identify made one consent subject of the visitor's browser and
          // account; its contact was a key holder of its own, tied to it only by a digest.
          const released = fixture.reads.find(
            (read) => read.url === `/v1/consents?externalId=${ada.externalId}`,
          )
          const visitorSubject = (released?.body as { subjectId?: unknown } | undefined)?.subjectId
          assert.equal(typeof visitorSubject, 'string')
          const names: SubjectName[] = [
            { externalId: ada.externalId },
            { email: ada.email.toUpperCase() },
            { anonymousId: visitor.anonymousId },
          ]
          const byName = await Promise.all(
            names.map((name) => resolveSubject(deps, facts.workspace.id, [name])),
          )
          for (const person of byName) {
            assert.equal(person.subjectId, visitorSubject, 'one surviving subject')
            assert.deepEqual(person.linkedIds, [ada.id, String(visitorSubject)].sort())
            // The contact keeps its own key (nothing was re-sealed): a key holder of the person.
            assert.ok(person.keyHolders.includes(ada.id))
            assert.ok(person.keyHolders.includes(String(visitorSubject)))
          }
          // So do contacts whose person the release's ledger knew by external id or email.
          const chen = contactNamed(facts.contacts, '陈静')
          for (const [contact, name, read] of [
            [chen, { externalId: chen.externalId ?? '' }, `externalId=${chen.externalId ?? ''}`],
            [bruno, { email: bruno.email ?? '' }, `email=${encodeURIComponent(bruno.email ?? '')}`],
          ] as const) {
            const known = fixture.reads.find((item) => item.url === `/v1/consents?${read}`)
            const subjectId = (known?.body as { subjectId?: unknown } | undefined)?.subjectId
            assert.equal(typeof subjectId, 'string', read)
            const person = await resolveSubject(deps, facts.workspace.id, [name])
            assert.equal(person.subjectId, subjectId, read)
            assert.deepEqual(person.linkedIds, [contact.id, String(subjectId)].sort(), read)
          }
        })

        test("the release's audit chain verifies, with today's entries after it", async () => {
          const report = await harness.audit.verify()
          assert.equal(report.ok, true, JSON.stringify(report.firstBroken))
          const released = fixture.tables.find((table) => table.name === 'audit_entries')
          assert.ok(report.entries > (released?.rows.length ?? Infinity))
        })
      },
    )
  }
}

function contactNamed(contacts: FixtureContact[], name: string): FixtureContact {
  const contact = contacts.find((item) => item.name === name)
  if (contact === undefined) throw new Error(`The fixture has no contact named ${name}`)
  return contact
}
