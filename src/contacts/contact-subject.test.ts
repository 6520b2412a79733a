import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { resolveSubject, type SubjectIdentifier } from '../subjects/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

/**
 * One person, one key holder (issue 16): a contact's profile is sealed under its
 * person's subject, made or found through the subjects module, so a visitor who becomes
 * a contact is one subject whose one key seals their consents, events and profile.
 */
for (const dialect of testDialects) {
  describe(`a contact is its person's subject [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Person Co')
    })
    after(async () => harness.close())

    async function call(method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) {
      const response = await harness.app.inject({
        method,
        url,
        headers: bearer(tenant.secretKey),
        ...(payload ? { payload } : {}),
      })
      assert.ok(response.statusCode < 300, `${method} ${url}: ${response.body}`)
      return response
    }
    const subjectOfContact = async (contactId: string) =>
      (
        await harness.storage.db
          .selectFrom('contacts')
          .select('subject_id')
          .where('id', '=', contactId)
          .executeTakeFirstOrThrow()
      ).subject_id
    const resolve = (...names: SubjectIdentifier[]) =>
      resolveSubject(harness.modules.subjects, tenant.workspaceId, names)

    test('a contact made after the visitor identified is their subject and their one key holder', async () => {
      // The customer's server knows the signed-in user: consent and events by external id.
      await call('POST', '/v1/consents', {
        externalId: 'user-known-1',
        purpose: 'analytics',
        granted: true,
      })
      const page = { type: 'page', externalId: 'user-known-1', url: 'https://shop.example/a' }
      const ingest = await call('POST', '/v1/events', { batch: [page] })
      assert.equal(ingest.json().accepted, 1)
      const before = await resolve({ externalId: 'user-known-1' })
      const { id } = (
        await call('POST', '/v1/contacts', {
          externalId: 'user-known-1',
          email: 'known.one@example.com',
          name: 'Known One',
        })
      ).json<{ id: string }>()
      assert.equal(await subjectOfContact(id), before.subjectId)
      const person = await resolve({ email: 'known.one@example.com' })
      assert.equal(person.subjectId, before.subjectId)
      assert.deepEqual(person.linkedIds, [before.subjectId])
      assert.deepEqual(person.keyHolders, [before.subjectId])
      assert.equal(person.located.contacts?.rows.contacts, 1)
      assert.equal(person.located.tracking?.rows.tracking_events, 1)
      assert.equal((await call('GET', `/v1/contacts/${id}`)).json().name, 'Known One')
    })

    test('a visitor who identifies as an existing contact merges into the contact', async () => {
      const { id } = (
        await call('POST', '/v1/contacts', { externalId: 'user-first-2', name: 'First Two' })
      ).json<{ id: string }>()
      assert.equal(await subjectOfContact(id), id, 'a new person: the contact id is the subject')
      const grant = { anonymousId: 'anon-two', purpose: 'analytics', granted: true }
      await harness.app.inject({
        method: 'POST',
        url: '/v1/consents',
        headers: bearer(tenant.publicKey),
        payload: grant,
      })
      const visitor = await resolve({ anonymousId: 'anon-two' })
      const identify = { type: 'identify', anonymousId: 'anon-two', externalId: 'user-first-2' }
      assert.equal((await call('POST', '/v1/events', { batch: [identify] })).json().accepted, 1)
      const person = await resolve({ anonymousId: 'anon-two' })
      assert.equal(person.subjectId, id, 'the contact is kept')
      assert.ok(visitor.subjectId !== null)
      // The visitor's choices were sealed under its own key before: it stays a key holder.
      assert.deepEqual(person.linkedIds, [id, visitor.subjectId].sort())
      assert.deepEqual(person.keyHolders, person.linkedIds)
      const consents = await call('GET', '/v1/consents?externalId=user-first-2')
      assert.equal(consents.json().subjectId, id)
    })

    test('an email one contact gave up makes another contact a person of its own', async () => {
      const first = (await call('POST', '/v1/contacts', { email: 'shared.box@example.com' })).json<{
        id: string
      }>()
      await call('PATCH', `/v1/contacts/${first.id}`, { email: 'own.box@example.com' })
      const second = (
        await call('POST', '/v1/contacts', { email: 'shared.box@example.com' })
      ).json<{ id: string }>()
      assert.equal(await subjectOfContact(second.id), second.id)
      assert.notEqual(await subjectOfContact(second.id), await subjectOfContact(first.id))
      // The new email joined the first contact's person.
      const first2 = await resolve({ email: 'own.box@example.com' })
      assert.equal(first2.subjectId, await subjectOfContact(first.id))
    })

    test('a batch import seals each contact under its person, as a single create does', async () => {
      await call('POST', '/v1/consents', {
        externalId: 'user-batch-3',
        purpose: 'marketing',
        granted: true,
      })
      const known = await resolve({ externalId: 'user-batch-3' })
      const batch = await call('POST', '/v1/contacts/batch', {
        contacts: [
          { externalId: 'user-batch-3', name: 'Batch Three' },
          { externalId: 'user-batch-4', name: 'Batch Four' },
        ],
      })
      const created = batch.json<{ created: { index: number; id: string }[] }>().created
      const [three, four] = [created[0]?.id ?? '', created[1]?.id ?? '']
      assert.equal(await subjectOfContact(three), known.subjectId)
      assert.equal(await subjectOfContact(four), four)
      for (const [id, name] of [
        [three, 'Batch Three'],
        [four, 'Batch Four'],
      ] as const) {
        assert.equal((await call('GET', `/v1/contacts/${id}`)).json().name, name)
      }
      assert.equal((await resolve({ externalId: 'user-batch-4' })).subjectId, four)
    })
  })
}
