import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  bearer,
  createTenant,
  signUpOperator,
  type TenantFixture,
} from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { eraseSubject } from '../subjects/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

for (const dialect of testDialects) {
  describe(`contacts API [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let other: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'CRM Co')
      other = await createTenant(harness, 'Other Co')
    })
    after(async () => harness.close())

    const call = (
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: object,
      key = tenant.secretKey,
    ) => harness.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) })

    test('create, read and find by email (normalised) and external id', async () => {
      const created = await call('POST', '/v1/contacts', {
        email: 'Ada.Lovelace@Example.com',
        externalId: 'user-1815',
        name: 'Ada Lovelace',
        attributes: { plan: 'pro', seats: 12, beta: true, signed_up_at: '2026-02-01' },
      })
      assert.equal(created.statusCode, 201)
      const contact = created.json<{ id: string; email: string }>()
      assert.equal(created.headers.location, `/v1/contacts/${contact.id}`)
      assert.equal((await call('GET', `/v1/contacts/${contact.id}`)).json().name, 'Ada Lovelace')
      const byEmail = await call('GET', '/v1/contacts?email=%20ada.lovelace@example.COM')
      assert.deepEqual(
        byEmail.json().data.map((item: { id: string }) => item.id),
        [contact.id],
      )
      const byExternal = await call('GET', '/v1/contacts?externalId=user-1815')
      assert.equal(byExternal.json().data[0].email, 'Ada.Lovelace@Example.com')
      const mismatch = await call(
        'GET',
        `/v1/contacts?externalId=user-1815&email=someone@example.com`,
      )
      assert.deepEqual(mismatch.json().data, [])
      assert.deepEqual((await call('GET', '/v1/contacts?email=nobody@example.com')).json().data, [])
    })

    test('a second contact with the same email or external id is a 409 naming the field', async () => {
      await call('POST', '/v1/contacts', { email: 'dup@example.com' })
      const duplicate = await call('POST', '/v1/contacts', { email: 'DUP@example.com' })
      assert.equal(duplicate.statusCode, 409)
      assert.equal(duplicate.json().errors[0].field, 'email')
      assert.equal((await call('POST', '/v1/contacts', { name: 'No Identifier' })).statusCode, 400)
    })

    test('attributes keep their type; PATCH merges them and null removes one', async () => {
      const { id } = (
        await call('POST', '/v1/contacts', {
          externalId: 'typed-1',
          attributes: { plan: 'free', seats: 1 },
        })
      ).json<{ id: string }>()
      const wrong = await call('PATCH', `/v1/contacts/${id}`, { attributes: { seats: 'many' } })
      assert.equal(wrong.statusCode, 400)
      assert.equal(wrong.json().errors[0].field, 'attributes.seats')
      const patched = await call('PATCH', `/v1/contacts/${id}`, {
        name: 'Typed',
        attributes: { seats: 5, plan: null },
      })
      assert.equal(patched.statusCode, 200)
      assert.deepEqual(patched.json().attributes, { seats: 5 })
      assert.equal(patched.json().name, 'Typed')
    })

    test('pages walk every contact once, newest first', async () => {
      for (let i = 0; i < 7; i += 1) await call('POST', '/v1/contacts', { externalId: `page-${i}` })
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: { data: { id: string }[]; nextCursor: string | null } = (
          await call('GET', `/v1/contacts?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        ).json()
        seen.push(...page.data.map((item) => item.id))
        cursor = page.nextCursor
      } while (cursor)
      assert.equal(new Set(seen).size, seen.length)
      assert.deepEqual([...seen].sort().reverse(), seen)
      assert.ok(seen.length >= 7)
      assert.equal((await call('GET', '/v1/contacts?cursor=bm90LWFuLWlk')).statusCode, 400)
    })

    test("deleting a contact removes its profile; a saved copy opens under the person's key only until they are erased", async () => {
      const { id } = (
        await call('POST', '/v1/contacts', { email: 'erase.me@example.com', name: 'Erase Me' })
      ).json<{ id: string }>()
      const copy = await harness.storage.db
        .selectFrom('contacts')
        .select(['profile', 'subject_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      assert.equal((await call('DELETE', `/v1/contacts/${id}`)).statusCode, 204)
      assert.equal((await call('GET', `/v1/contacts/${id}`)).statusCode, 404)
      assert.deepEqual(
        (await call('GET', '/v1/contacts?email=erase.me@example.com')).json().data,
        [],
      )
      const cell = {
        workspaceId: tenant.workspaceId,
        subjectId: copy.subject_id,
        table: 'contacts',
        column: 'profile',
        rowId: id,
      }
      // The key is the person's, which may seal their consents and events too: the
      // erasure of the person (Art. 17) is what destroys it, and with it every copy.
      const opened = await harness.keyring.openJson(cell, copy.profile)
      assert.ok(JSON.stringify(opened).includes('Erase Me'))
      await eraseSubject(harness.modules.subjects, {
        workspaceId: tenant.workspaceId,
        names: [{ email: 'erase.me@example.com' }],
        actor: { actorType: 'system', actorId: null },
      })
      await assert.rejects(
        harness.keyring.openJson(cell, copy.profile),
        (error: unknown) =>
          error instanceof Error && 'code' in error && error.code === 'subject_erased',
      )
    })

    test('an agent reads and writes contacts but cannot delete them', async () => {
      const agent = await signUpOperator(harness, tenant.workspaceId, 'agent')
      const created = await harness.app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: agent.headers(),
        payload: { email: 'agent.made@example.com' },
      })
      assert.equal(created.statusCode, 201)
      const refused = await harness.app.inject({
        method: 'DELETE',
        url: `/v1/contacts/${created.json().id}`,
        headers: agent.headers(),
      })
      assert.equal(refused.statusCode, 403)
    })

    test('another workspace cannot see, find or touch these contacts', async () => {
      const { id } = (await call('POST', '/v1/contacts', { email: 'walled@example.com' })).json<{
        id: string
      }>()
      assert.equal(
        (await call('GET', `/v1/contacts/${id}`, undefined, other.secretKey)).statusCode,
        404,
      )
      assert.equal(
        (await call('PATCH', `/v1/contacts/${id}`, { name: 'x' }, other.secretKey)).statusCode,
        404,
      )
      assert.equal(
        (await call('DELETE', `/v1/contacts/${id}`, undefined, other.secretKey)).statusCode,
        404,
      )
      assert.deepEqual(
        (
          await call('GET', '/v1/contacts?email=walled@example.com', undefined, other.secretKey)
        ).json().data,
        [],
      )
      assert.ok(
        !(await call('GET', '/v1/contacts?limit=200', undefined, other.secretKey)).body.includes(
          id,
        ),
      )
      // The same email may exist in another workspace: blind indexes are per workspace.
      assert.equal(
        (await call('POST', '/v1/contacts', { email: 'walled@example.com' }, other.secretKey))
          .statusCode,
        201,
      )
    })

    test('a batch makes every valid contact and rejects the rest by index, each with its problem', async () => {
      await call('POST', '/v1/contacts', { email: 'stored@example.com', attributes: { tier: 3 } })
      const response = await call('POST', '/v1/contacts/batch', {
        contacts: [
          { email: 'Batch.One@Example.com', name: 'One', attributes: { tier: 1 } },
          { name: 'Nobody' },
          { email: 'stored@example.com' },
          { externalId: 'batch-ext', attributes: { tier: 'gold' } },
          { email: 'BATCH.ONE@example.com' },
          { externalId: 'batch-ext', attributes: { signed_up_at: '2026-03-01' } },
        ],
      })
      assert.equal(response.statusCode, 200)
      const body = response.json<{
        created: { index: number; id: string }[]
        rejected: { index: number; problem: { code: string; status: number; detail: string } }[]
      }>()
      assert.deepEqual(
        body.created.map((made) => made.index),
        [0, 5],
      )
      assert.deepEqual(
        body.rejected.map((item) => [item.index, item.problem.code]),
        [
          [1, 'invalid_request'],
          [2, 'conflict'],
          [3, 'invalid_request'],
          [4, 'conflict'],
        ],
      )
      assert.match(body.rejected[0]?.problem.detail ?? '', /^Contact 1 needs an email/)
      const [first, last] = body.created
      assert.ok(first && last)
      const one = (await call('GET', `/v1/contacts/${first.id}`)).json()
      assert.equal(one.email, 'Batch.One@Example.com')
      assert.deepEqual(one.attributes, { tier: 1 })
      const found = await call('GET', '/v1/contacts?externalId=batch-ext')
      assert.equal(found.json().data[0].id, last.id)
      // The batch registered the new attribute's type as createContact would.
      const typed = await call('POST', '/v1/contacts', {
        email: 'typed@example.com',
        attributes: { signed_up_at: 12 },
      })
      assert.equal(typed.statusCode, 400)
      const log = await harness.audit.listEntries(tenant.workspaceId, { limit: 200 })
      for (const made of body.created) {
        assert.ok(
          log.entries.some(
            (entry) => entry.action === 'contact.created' && entry.resource?.id === made.id,
          ),
        )
      }
    })

    test('a malformed contact is rejected alone; a batch that is not 1 to 500 contacts is a 400', async () => {
      const mixed = await call('POST', '/v1/contacts/batch', {
        contacts: [{ email: 'fine@example.com' }, { email: 'not an email' }, 'not a contact'],
      })
      assert.equal(mixed.statusCode, 200)
      const body = mixed.json<{
        created: { index: number }[]
        rejected: { index: number; problem: { code: string; detail: string } }[]
      }>()
      assert.deepEqual(
        body.created.map((made) => made.index),
        [0],
      )
      assert.deepEqual(
        body.rejected.map((item) => [item.index, item.problem.code]),
        [
          [1, 'invalid_request'],
          [2, 'invalid_request'],
        ],
      )
      assert.match(body.rejected[0]?.problem.detail ?? '', /^Contact 1: email /)
      const before = (await call('GET', '/v1/contacts?limit=200')).json().data.length
      const tooMany = await call('POST', '/v1/contacts/batch', {
        contacts: Array.from({ length: 501 }, (_, i) => ({ externalId: `too-many-${i}` })),
      })
      assert.equal(tooMany.statusCode, 400)
      assert.match(String(tooMany.headers['content-type']), /application\/problem\+json/)
      const empty = await call('POST', '/v1/contacts/batch', { contacts: [] })
      assert.equal(empty.statusCode, 400)
      const notAList = await call('POST', '/v1/contacts/batch', { contacts: { email: 'x@y.z' } })
      assert.equal(notAList.statusCode, 400)
      assert.equal((await call('GET', '/v1/contacts?limit=200')).json().data.length, before)
    })

    test('every read is audited with the subject as a blind index only', async () => {
      const { id } = (await call('POST', '/v1/contacts', { email: 'audited@example.com' })).json<{
        id: string
      }>()
      await call('GET', `/v1/contacts/${id}`)
      const log = await harness.audit.listEntries(tenant.workspaceId, { limit: 50 })
      const read = log.entries.find(
        (entry) => entry.action === 'contact.read' && entry.resource?.id === id,
      )
      assert.ok(read)
      assert.match(read.subjectRef ?? '', /^[0-9a-f]{64}$/)
      assert.notEqual(read.subjectRef, id)
    })

    test('no email, name or attribute value is stored in clear', async () => {
      await call('POST', '/v1/contacts', {
        email: 'plain.scan@example.com',
        name: 'Grace Hopper',
        attributes: { city: 'Arlington' },
      })
      const secrets = ['plain.scan@example.com', 'Grace Hopper', 'Arlington']
      if (dialect === 'sqlite') {
        const dir = dirname(harness.storage.location)
        for (const file of readdirSync(dir).filter((name) => name.startsWith('custodian.sqlite'))) {
          const bytes = readFileSync(`${dir}/${file}`)
          for (const secret of secrets)
            assert.ok(!bytes.includes(secret), `${file} holds ${secret}`)
        }
      } else {
        const dump = await sql<{
          row: string
        }>`select row_to_json(c)::text as row from contacts c`.execute(harness.storage.db)
        const text = dump.rows.map((row) => row.row).join('\n')
        assert.ok(text.length > 0)
        for (const secret of secrets) assert.ok(!text.includes(secret), `contacts holds ${secret}`)
      }
    })
  })
}
