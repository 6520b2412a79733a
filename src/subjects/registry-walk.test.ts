import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import {
  createPersonalDataRegistry,
  personalTables,
  tableClassification,
} from '../personal-data/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import {
  collectingWriter,
  eraseSubject,
  exportSubject,
  resolveSubject,
  resumeErasures,
  type SubjectsDeps,
} from './index.js'

/**
 * The registry test every module joins by registering a source, as routes join the
 * tenant-wall probes: one person's data is made through the public API in every module
 * that holds personal data; the export walk returns each source's part; the erasure
 * walk leaves none of their rows in any erased table, none of their sealed values
 * opening, none of their identifiers in the stored bytes; another person is untouched.
 */
interface Person {
  email: string
  externalId: string
  anonymousId: string
  name: string
  page: string
}

const ada: Person = {
  email: 'ada.walker@example.com',
  externalId: 'ada-walker-42',
  anonymousId: 'anon-ada-walker',
  name: 'Ada Walkerton',
  page: 'https://shop.example/ada-private-page',
}
const bob: Person = {
  email: 'bob.stayer@example.com',
  externalId: 'bob-stayer-7',
  anonymousId: 'anon-bob-stayer',
  name: 'Bob Stayerson',
  page: 'https://shop.example/bob-own-page',
}

const actor = { actorType: 'system' as const, actorId: null }

function isErased(table: string): boolean {
  const kind = Object.hasOwn(tableClassification, table)
    ? tableClassification[table as keyof typeof tableClassification]
    : undefined
  return kind?.personal === true && kind.erasure === 'erased'
}

for (const dialect of testDialects) {
  describe(`the registry walks [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let deps: SubjectsDeps
    let adaOperatorId: string

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Walk Co')
      deps = harness.modules.subjects
      for (const person of [ada, bob]) await makePerson(person)
      // Ada also works for the workspace: her operator account is hers too.
      const operator = await signUpOperator(harness, tenant.workspaceId, 'agent', {
        email: ada.email,
      })
      adaOperatorId = operator.operatorId
    })
    after(async () => harness.close())

    async function call(method: 'POST' | 'GET', url: string, key: string, payload?: object) {
      const response = await harness.app.inject({
        method,
        url,
        headers: bearer(key),
        ...(payload ? { payload } : {}),
      })
      assert.ok(response.statusCode < 300, `${method} ${url}: ${response.body}`)
      return response
    }

    async function makePerson(person: Person): Promise<void> {
      const { publicKey, secretKey } = tenant
      const grant = { anonymousId: person.anonymousId, purpose: 'analytics', granted: true }
      await call('POST', '/v1/consents', publicKey, grant)
      const page = { type: 'page', anonymousId: person.anonymousId, url: person.page }
      await call('POST', '/v1/events', publicKey, { batch: [page] })
      const identify = {
        type: 'identify',
        anonymousId: person.anonymousId,
        externalId: person.externalId,
        traits: { email: person.email, name: person.name },
      }
      await call('POST', '/v1/events', secretKey, { batch: [identify] })
      const marketing = { externalId: person.externalId, purpose: 'marketing', granted: true }
      await call('POST', '/v1/consents', secretKey, marketing)
      const contact = (await call('GET', `/v1/contacts?email=${person.email}`, secretKey)).json<{
        data: { id: string }[]
      }>().data[0]
      assert.ok(contact, 'identify made the contact')
      // A conversation with the shop: a message with a finding (its body has its own key
      // holder until redacted) and a file, sealed under the person.
      const conversation = (
        await call('POST', '/v1/conversations', secretKey, { contactId: contact.id })
      ).json<{ id: string }>()
      await call('POST', `/v1/conversations/${conversation.id}/messages`, secretKey, {
        body: `${person.name} here, write to ${person.email}`,
        from: 'contact',
        attachments: [
          {
            name: 'note.txt',
            type: 'text/plain',
            content: Buffer.from(person.page).toString('base64'),
          },
        ],
      })
      // A restriction request, as the person's own portal door files it.
      const request = { type: 'restriction', subject: { email: person.email } }
      await call('POST', '/v1/rights/requests', publicKey, request)
    }

    const rowsOf = async (table: string) =>
      Number(
        (
          await sql<{
            count: number | string
          }>`select count(*) as count from ${sql.table(table)}`.execute(harness.storage.db)
        ).rows[0]?.count ?? 0,
      )

    test('every personal table is claimed by exactly one source', () => {
      const claims = deps.registry.sources.flatMap((source) =>
        source.tables.map((table) => table.name),
      )
      assert.deepEqual([...claims].sort(), [...personalTables].sort())
      assert.equal(new Set(claims).size, claims.length)
    })

    test('the person is found in every module that holds their data, nothing opened', async () => {
      const { located, subject, subjectId, linkedIds, keyHolders } = await resolveSubject(
        deps,
        tenant.workspaceId,
        [{ email: ada.email }],
      )
      assert.equal(located.contacts?.rows.contacts, 1)
      assert.equal(located.identity?.rows.operators, 1)
      assert.equal(located.subjects?.rows.subjects, 1)
      assert.ok((located.consent?.rows.consent_events ?? 0) >= 3)
      assert.ok((located.tracking?.rows.tracking_events ?? 0) >= 2, 'the page from before identify')
      assert.equal(located.inbox?.rows.inbox_conversations, 1)
      assert.equal(located.inbox.rows.inbox_attachments, 1)
      // One person, one key holder: the visitor's subject seals their consents, their
      // events and the contact identify made for them; the operator account is its own.
      assert.ok(subjectId !== null)
      assert.deepEqual(linkedIds, [subjectId])
      // A message body holding a finding is its own key holder until redacted: the person's too.
      const ownBodyKeys = await harness.storage.db
        .selectFrom('inbox_messages')
        .select('body_key_id')
        .where('subject_id', '=', subjectId)
        .where('body_key_id', '!=', subjectId)
        .execute()
      assert.equal(ownBodyKeys.length, 1)
      assert.deepEqual(
        keyHolders,
        [subjectId, adaOperatorId, ...ownBodyKeys.map((row) => row.body_key_id)].sort(),
      )
      const found = await call('GET', `/v1/contacts?email=${ada.email}`, tenant.secretKey)
      const contactId = found.json<{ data: { id: string }[] }>().data[0]?.id ?? ''
      const contact = await harness.storage.db
        .selectFrom('contacts')
        .select('subject_id')
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow()
      assert.equal(contact.subject_id, subjectId, 'the contact is sealed under the subject')
      assert.ok(subject.identifiers.some((item) => item.kind === 'anonymous_id'))
    })

    test('the export walk returns each source part, opened, and audits once', async () => {
      const readsBefore = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'contact.read',
      })
      const writer = collectingWriter()
      const report = await exportSubject(
        deps,
        { workspaceId: tenant.workspaceId, names: [{ externalId: ada.externalId }], actor },
        writer,
      )
      const { collected } = writer
      assert.deepEqual(Object.keys(collected).sort(), [
        'audit',
        'consent',
        'contacts',
        'identity',
        'inbox',
        'rights',
        'subjects',
        'tracking',
      ])
      assert.equal(collected.rights?.requests?.length, 1)
      const text = JSON.stringify(collected)
      for (const value of [ada.email, ada.name, ada.page]) assert.ok(text.includes(value), value)
      for (const value of [bob.email, bob.name, bob.page]) assert.ok(!text.includes(value), value)
      assert.equal(collected.contacts?.contacts?.length, 1)
      assert.equal(collected.inbox?.messages?.length, 1)
      const file = collected.inbox.attachments?.[0]?.content
      assert.equal(Buffer.from(String(file), 'base64').toString(), ada.page, 'the file itself')
      assert.ok((report.records.tracking ?? 0) >= 2)
      const log = await harness.audit.listEntries(tenant.workspaceId, {
        action: 'subject.exported',
      })
      assert.equal(log.entries.length, 1)
      const reads = await harness.audit.listEntries(tenant.workspaceId, { action: 'contact.read' })
      assert.equal(
        reads.entries.length,
        readsBefore.entries.length,
        'the walk reads without one entry per row',
      )
    })

    test('the erasure walk leaves nothing of the person and nothing else is touched', async () => {
      const { subject, located } = await resolveSubject(deps, tenant.workspaceId, [
        { email: ada.email },
      ])
      const bobBefore = await resolveSubject(deps, tenant.workspaceId, [{ email: bob.email }])
      const erasedTables = personalTables.filter(isErased)
      const before: Record<string, number> = {}
      for (const table of erasedTables) before[table] = await rowsOf(table)

      const report = await eraseSubject(deps, {
        workspaceId: tenant.workspaceId,
        names: [{ email: ada.email }],
        actor,
      })
      assert.equal(report.sources.audit?.outcome, 'retained')
      // The request is the controller's proof of the answer, sealed under its own key.
      assert.equal(report.sources.rights?.outcome, 'retained')
      assert.equal(report.sources.contacts?.outcome, 'erased')

      // Every erased table lost exactly the person's rows.
      const found: Record<string, number> = {}
      for (const part of Object.values(located)) {
        for (const [table, count] of Object.entries(part.rows)) found[table] = count
      }
      for (const table of erasedTables) {
        assert.equal(await rowsOf(table), (before[table] ?? 0) - (found[table] ?? 0), table)
      }
      const after = await resolveSubject(deps, tenant.workspaceId, [{ email: ada.email }])
      for (const part of Object.values(after.located)) {
        for (const [table, count] of Object.entries(part.rows)) {
          if (isErased(table)) {
            assert.equal(count, 0, `${table} still holds the person`)
          }
        }
      }
      // No sealed value of theirs opens: every key holder's keys are gone.
      for (const keyHolder of subject.keyHolders) {
        await assert.rejects(
          harness.keyring.sealerFor(tenant.workspaceId, keyHolder, { create: false }),
          { code: 'subject_erased' },
        )
      }
      // Nothing of theirs in the stored bytes (the file and its WAL, or every row).
      const stored = await dumpStore(harness.storage)
      for (const value of [ada.email, ada.externalId, ada.anonymousId, ada.name, ada.page]) {
        for (const encoded of encodingsOf(value)) assert.ok(!stored.includes(encoded), value)
      }
      // Bob is whole: the same rows, and his contact still reads.
      const bobAfter = await resolveSubject(deps, tenant.workspaceId, [{ email: bob.email }])
      assert.deepEqual(bobAfter.located, bobBefore.located)
      const contact = await call('GET', `/v1/contacts?email=${bob.email}`, tenant.secretKey)
      assert.equal(contact.json<{ data: { name: string }[] }>().data[0]?.name, bob.name)
      const log = await harness.audit.listEntries(tenant.workspaceId, { action: 'subject.erased' })
      assert.equal(log.entries.length, 1)
    })

    test('an erasure that fails after the keys are destroyed is finished by resuming it', async () => {
      const carol: Person = {
        email: 'carol.crash@example.com',
        externalId: 'carol-crash-3',
        anonymousId: 'anon-carol-crash',
        name: 'Carol Crashley',
        page: 'https://shop.example/carol-page',
      }
      await makePerson(carol)
      const failing = createPersonalDataRegistry([
        ...deps.registry.sources,
        {
          module: 'failing',
          tables: [],
          locate: async () => ({ rows: {}, keyHolders: [], identifiers: [] }),
          exportTo: async () => undefined,
          erase: async () => {
            throw new Error('the process died here')
          },
        },
      ])
      await assert.rejects(
        eraseSubject(
          { ...deps, registry: failing },
          { workspaceId: tenant.workspaceId, names: [{ email: carol.email }], actor },
        ),
        /died here/,
      )
      // The keys are gone and the rows, all of them, are still there: one transaction.
      const half = await resolveSubject(deps, tenant.workspaceId, [{ email: carol.email }])
      assert.equal(half.located.contacts?.rows.contacts, 1)
      const reports = await resumeErasures(deps)
      assert.equal(reports.length, 1)
      const after = await resolveSubject(deps, tenant.workspaceId, [{ email: carol.email }])
      assert.equal(after.located.contacts?.rows.contacts, 0)
      assert.equal(after.located.consent?.rows.consent_events, 0)
      assert.equal(after.located.tracking?.rows.tracking_events, 0)
      assert.deepEqual(await resumeErasures(deps), [], 'nothing is left open')
    })
  })
}
