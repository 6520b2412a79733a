import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { dumpStore, encodingsOf } from '../storage/testing/dump.js'
import { collectingWriter, eraseSubject, exportSubject } from '../subjects/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

/**
 * Issue 18: "every message and contact attribute is scanned on write". A contact's
 * attributes, name and external id go through the inbox's detectors on every write (one
 * contact, a batch); the findings are shown on reads, sealed with the profile, exported
 * and erased with the person; the kinds the workspace auto-redacts never reach storage.
 */
const card = '4111 1111 1111 1111'
const iban = 'DE89 3704 0044 0532 0130 00'
const ssn = '536-22-8726'

interface Finding {
  field: string
  kind: string
  scheme: string | null
  start: number
  end: number
  confidence: number
  status: string
}
interface Contact {
  id: string
  name: string | null
  attributes: Record<string, string | number | boolean | null>
  findings: Finding[]
}

for (const dialect of testDialects) {
  describe(
    `contact attributes are scanned on write [${dialect}]`,
    { skip: dialectSkip(dialect) },
    () => {
      let harness: TestApp
      let tenant: TenantFixture

      before(async () => {
        harness = await buildTestApp({ dialect })
        tenant = await createTenant(harness, 'Scan Co')
      })
      after(async () => harness.close())

      const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
        harness.app.inject({
          method,
          url,
          headers: bearer(tenant.secretKey),
          ...(payload ? { payload } : {}),
        })
      const sealedProfileOf = async (id: string) => {
        const row = await harness.storage.db
          .selectFrom('contacts')
          .select(['profile', 'subject_id'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        const cell = {
          workspaceId: tenant.workspaceId,
          subjectId: row.subject_id,
          table: 'contacts',
          column: 'profile',
          rowId: id,
        }
        return { cell, profile: row.profile }
      }
      const entries = async (action: string) =>
        (await harness.audit.listEntries(tenant.workspaceId, { action: action as never })).entries

      test('cards and IBANs are redacted before storage, the rest flagged; reads show the findings; audited', async () => {
        const created = await call('POST', '/v1/contacts', {
          email: 'scan.one@example.com',
          name: 'Scan One',
          attributes: {
            note: `paid with ${card}, refund to ${iban}`,
            tax: `SSN ${ssn}`,
            plan: 'pro',
          },
        })
        assert.equal(created.statusCode, 201, created.body)
        const contact = created.json<Contact>()
        assert.equal(
          contact.attributes.note,
          'paid with [redacted: card], refund to [redacted: iban]',
        )
        assert.equal(contact.attributes.tax, `SSN ${ssn}`)
        assert.deepEqual(
          contact.findings.map((finding) => [finding.field, finding.kind, finding.status]),
          [
            ['attributes.note', 'card', 'redacted'],
            ['attributes.note', 'iban', 'redacted'],
            ['attributes.tax', 'us_ssn', 'flagged'],
          ],
        )
        const read = (await call('GET', `/v1/contacts/${contact.id}`)).json<Contact>()
        assert.deepEqual(read.findings, contact.findings)
        const tax = read.findings[2]
        assert.equal(
          read.attributes.tax?.toString().slice(tax?.start, tax?.end),
          ssn,
          'offsets point at the value',
        )
        const stored = await dumpStore(harness.storage)
        for (const value of [card, card.replaceAll(' ', ''), iban, iban.replaceAll(' ', '')]) {
          for (const encoded of encodingsOf(value)) assert.ok(!stored.includes(encoded), value)
        }
        // Redacted before sealing: the sealed profile itself, opened, never held them.
        const sealed = await sealedProfileOf(contact.id)
        const opened = JSON.stringify(await harness.keyring.openJson(sealed.cell, sealed.profile))
        assert.ok(opened.includes('[redacted: card]'))
        // Whole values, not 4-digit prefixes: random ids and hashes may hold any 4 digits.
        const clearValues = [card, card.replaceAll(' ', ''), iban, iban.replaceAll(' ', '')]
        for (const value of clearValues) assert.ok(!opened.includes(value), value)
        const createdEntry = (await entries('contact.created')).find(
          (entry) => entry.resource?.id === contact.id,
        )
        assert.deepEqual(createdEntry?.details, {
          fields: 'email,name,attributes',
          findings: 3,
          flagged: 1,
          kinds: 'card,iban,us_ssn',
        })
        const redacted = (await entries('contact.redacted')).find(
          (entry) => entry.resource?.id === contact.id,
        )
        assert.deepEqual(redacted?.details, {
          kinds: 'card,iban',
          count: 2,
          fields: 'attributes.note',
          automatic: true,
        })
        const log = JSON.stringify(await harness.audit.listEntries(tenant.workspaceId, {}))
        for (const value of [...clearValues, ssn]) assert.ok(!log.includes(value), value)
      })

      test("an update is scanned under the workspace's policy, which the workspace changes", async () => {
        const { id } = (
          await call('POST', '/v1/contacts', { email: 'scan.two@example.com', name: 'Scan Two' })
        ).json<Contact>()
        const policy = await harness.app.inject({
          method: 'PATCH',
          url: '/v1/workspace',
          headers: bearer(tenant.secretKey),
          payload: { settings: { inbox: { autoRedact: { us_ssn: true, card: false } } } },
        })
        assert.equal(policy.statusCode, 200, policy.body)
        try {
          const updated = await call('PATCH', `/v1/contacts/${id}`, {
            attributes: { tax: `SSN ${ssn}`, note: `card ${card}` },
          })
          assert.equal(updated.statusCode, 200, updated.body)
          const contact = updated.json<Contact>()
          assert.equal(contact.attributes.tax, 'SSN [redacted: us_ssn]')
          assert.equal(contact.attributes.note, `card ${card}`, 'cards no longer redacted here')
          assert.deepEqual(
            contact.findings.map((finding) => [finding.field, finding.kind, finding.status]),
            [
              ['attributes.tax', 'us_ssn', 'redacted'],
              ['attributes.note', 'card', 'flagged'],
            ],
          )
          // Clearing the attribute clears its finding; the other stays.
          const cleared = await call('PATCH', `/v1/contacts/${id}`, { attributes: { note: null } })
          assert.deepEqual(
            cleared.json<Contact>().findings.map((finding) => finding.field),
            ['attributes.tax'],
          )
          const updatedEntry = (await entries('contact.updated')).find(
            (entry) => entry.resource?.id === id && entry.details?.findings === 2,
          )
          assert.equal(updatedEntry?.details?.kinds, 'card,us_ssn')
        } finally {
          await harness.app.inject({
            method: 'PATCH',
            url: '/v1/workspace',
            headers: bearer(tenant.secretKey),
            payload: { settings: { inbox: { autoRedact: { us_ssn: false, card: true } } } },
          })
        }
      })

      test('a batch import is scanned the same way, each contact on its own', async () => {
        const batch = await call('POST', '/v1/contacts/batch', {
          contacts: [
            { email: 'batch.one@example.com', attributes: { pan: 4111111111111111 } },
            { email: 'batch.two@example.com', attributes: { note: 'diagnosed with asthma' } },
          ],
        })
        assert.equal(batch.statusCode, 200, batch.body)
        const created = batch.json<{ created: { index: number; id: string }[] }>().created
        assert.equal(created.length, 2)
        const [one, two] = await Promise.all(
          created.map(async (item) =>
            (await call('GET', `/v1/contacts/${item.id}`)).json<Contact>(),
          ),
        )
        assert.equal(
          Object.hasOwn(one?.attributes ?? {}, 'pan'),
          false,
          'a card typed as a number is removed',
        )
        assert.deepEqual(
          one?.findings.map((finding) => [finding.field, finding.kind, finding.status]),
          [['attributes.pan', 'card', 'redacted']],
        )
        assert.equal(two?.attributes.note, 'diagnosed with asthma')
        assert.deepEqual(
          [...new Set(two.findings.map((finding) => `${finding.kind} ${finding.status}`))],
          ['health flagged'],
        )
        const batchEntries = (await entries('contact.created')).filter(
          (entry) => entry.details?.via === 'batch',
        )
        assert.deepEqual(batchEntries.map((entry) => entry.details?.kinds).sort(), [
          'card',
          'health',
        ])
        const stored = await dumpStore(harness.storage)
        for (const encoded of encodingsOf('4111111111111111')) assert.ok(!stored.includes(encoded))
      })

      test('an operator redacts flagged findings in place; the external id is never rewritten; audited', async () => {
        const { id } = (
          await call('POST', '/v1/contacts', {
            email: 'scan.four@example.com',
            externalId: `ssn-${ssn}`,
            attributes: { tax: `SSN ${ssn} (pregnant)`, other: 'diagnosed with asthma' },
          })
        ).json<Contact>()
        const refused = await call('POST', `/v1/contacts/${id}/redactions`, {
          fields: ['externalId'],
        })
        assert.equal(refused.statusCode, 400, refused.body)
        const before = await sealedProfileOf(id)
        const only = await call('POST', `/v1/contacts/${id}/redactions`, {
          fields: ['attributes.tax'],
        })
        // The profile sealed before: its bytes are zeroed out of SQLite's file and WAL; a
        // copy kept elsewhere opens under the person's key until they are erased.
        if (dialect === 'sqlite') {
          assert.ok(!(await dumpStore(harness.storage)).includes(before.profile))
        }
        assert.match(
          JSON.stringify(await harness.keyring.openJson(before.cell, before.profile)),
          /536-22-8726 \(pregnant\)/,
        )
        assert.equal(only.statusCode, 200, only.body)
        const contact = only.json<Contact>()
        assert.equal(contact.attributes.tax, 'SSN [redacted: us_ssn] ([redacted: health])')
        assert.equal(
          contact.attributes.other,
          'diagnosed with asthma',
          'another field is untouched',
        )
        const rest = await call('POST', `/v1/contacts/${id}/redactions`, {})
        assert.equal(rest.statusCode, 200, rest.body)
        const after = rest.json<Contact & { externalId: string }>()
        assert.equal(after.attributes.other, '[redacted: health] with [redacted: health]')
        assert.equal(after.externalId, `ssn-${ssn}`)
        assert.deepEqual(
          after.findings
            .filter((finding) => finding.field !== 'externalId')
            .map((finding) => finding.status),
          after.findings.filter((finding) => finding.field !== 'externalId').map(() => 'redacted'),
        )
        for (const finding of after.findings.filter((item) => item.field === 'attributes.tax')) {
          assert.match(
            String(after.attributes.tax).slice(finding.start, finding.end),
            /^\[redacted: [a-z_]+\]$/,
            'offsets follow the placeholders',
          )
        }
        assert.equal((await call('POST', `/v1/contacts/${id}/redactions`, {})).statusCode, 409)
        const log = await entries('contact.redacted')
        assert.deepEqual(
          log
            .filter((entry) => entry.resource?.id === id)
            .map((entry) => [entry.details?.fields, entry.details?.automatic]),
          [
            ['attributes.other', false],
            ['attributes.tax', false],
          ],
        )
      })

      test("the findings are part of the person's export and go with their erasure", async () => {
        const email = 'scan.three@example.com'
        const { id } = (
          await call('POST', '/v1/contacts', { email, attributes: { tax: `SSN ${ssn}` } })
        ).json<Contact>()
        const actor = { actorType: 'system' as const, actorId: null }
        const writer = collectingWriter()
        await exportSubject(
          harness.modules.subjects,
          { workspaceId: tenant.workspaceId, names: [{ email }], actor },
          writer,
        )
        const exported = writer.collected.contacts?.contacts?.[0] as unknown as Contact | undefined
        assert.deepEqual(
          exported?.findings.map((finding) => [finding.field, finding.kind]),
          [['attributes.tax', 'us_ssn']],
        )
        await eraseSubject(harness.modules.subjects, {
          workspaceId: tenant.workspaceId,
          names: [{ email }],
          actor,
        })
        assert.equal((await call('GET', `/v1/contacts/${id}`)).statusCode, 404)
        const rows = await harness.storage.db
          .selectFrom('contacts')
          .select('id')
          .where('id', '=', id)
          .execute()
        assert.deepEqual(rows, [], 'the profile, and the findings sealed in it, are gone')
      })
    },
  )
}
