import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { newId } from '../ids.js'
import { inWriteTransaction } from '../storage/index.js'
import { dialectSkip, testDialects } from '../storage/testing/dialects.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import {
  attachIdentifiers,
  blindIdentifiersOf,
  findLinkedSubjects,
  linkSubjects,
  type SubjectIdentifier,
  subjectNamedOrNew,
  survivingSubjectIds,
} from './index.js'

/**
 * The subjects module's own part of identify: identifiers linked to one subject, two
 * subjects merged into one, two accounts never joined, and the registration that never
 * merges. The consent ledger's part of a merge is consent/link-identifiers.test.ts's.
 */
for (const dialect of testDialects) {
  describe(`linking and merging subjects [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Subjects Co')
    })
    after(async () => harness.close())

    const blind = (...identifiers: SubjectIdentifier[]) =>
      blindIdentifiersOf(harness.keyring, tenant.workspaceId, identifiers)
    const link = async (...identifiers: SubjectIdentifier[]) => {
      harness.clock.advance(1000)
      const named = await blind(...identifiers)
      return inWriteTransaction(harness.storage.db, (trx) =>
        linkSubjects(trx, {
          workspaceId: tenant.workspaceId,
          identifiers: named,
          candidateId: newId(harness.clock.now()),
          now: harness.clock.now(),
        }),
      )
    }
    const person = (subject: SubjectIdentifier) =>
      findLinkedSubjects(
        { db: harness.storage.db, keyring: harness.keyring },
        { workspaceId: tenant.workspaceId, subject },
      )

    test('identify links a new identifier to the subject the others name', async () => {
      const visitor = await link({ anonymousId: 'anon-link-a' })
      assert.equal(visitor.created, true)
      const identified = await link({ anonymousId: 'anon-link-a' }, { externalId: 'user-a' })
      assert.equal(identified.created, false)
      assert.equal(identified.kept.id, visitor.kept.id)
      assert.deepEqual(identified.absorbed, [])
      assert.deepEqual(await person({ externalId: 'user-a' }), {
        subjectId: visitor.kept.id,
        subjectIds: [visitor.kept.id],
      })
    })

    test('two subjects found to be one person merge: the account is kept, the other points at it', async () => {
      const account = await link({ externalId: 'user-b' }, { email: 'b@example.com' })
      const visitor = await link({ anonymousId: 'anon-link-b' })
      const merged = await link({ anonymousId: 'anon-link-b' }, { externalId: 'user-b' })
      assert.equal(merged.kept.id, account.kept.id, 'the subject holding the external id')
      assert.deepEqual(
        merged.absorbed.map((subject) => subject.id),
        [visitor.kept.id],
      )
      const surviving = await survivingSubjectIds(harness.storage.db, tenant.workspaceId, [
        visitor.kept.id,
      ])
      assert.equal(surviving.get(visitor.kept.id), account.kept.id)
      // Every identifier now names the kept subject; its person includes the absorbed one.
      for (const name of [
        { anonymousId: 'anon-link-b' },
        { externalId: 'user-b' },
        { email: 'b@example.com' },
      ]) {
        assert.deepEqual(await person(name), {
          subjectId: account.kept.id,
          subjectIds: [account.kept.id, visitor.kept.id].sort(),
        })
      }
      // A later merge of the survivor carries what was merged into it along.
      const laptop = await link({ anonymousId: 'anon-link-b2' })
      const again = await link({ anonymousId: 'anon-link-b2' }, { email: 'b@example.com' })
      assert.equal(again.kept.id, account.kept.id)
      assert.deepEqual(
        (await person({ anonymousId: 'anon-link-b2' }))?.subjectIds,
        [account.kept.id, visitor.kept.id, laptop.kept.id].sort(),
      )
    })

    test('without an external id the oldest subject is kept', async () => {
      const older = await link({ anonymousId: 'anon-old-c' })
      const younger = await link({ email: 'c@example.com' })
      const merged = await link({ email: 'c@example.com' }, { anonymousId: 'anon-old-c' })
      assert.equal(merged.kept.id, older.kept.id)
      assert.deepEqual(
        merged.absorbed.map((subject) => subject.id),
        [younger.kept.id],
      )
    })

    test('two different external ids are never joined, and nothing changes', async () => {
      await link({ anonymousId: 'anon-shared' }, { externalId: 'user-d1' })
      await link({ externalId: 'user-d2' })
      await assert.rejects(link({ anonymousId: 'anon-shared' }, { externalId: 'user-d2' }), {
        code: 'conflict',
      })
      const first = await person({ externalId: 'user-d1' })
      const second = await person({ externalId: 'user-d2' })
      assert.notEqual(first?.subjectId, second?.subjectId)
      assert.equal((await person({ anonymousId: 'anon-shared' }))?.subjectId, first?.subjectId)
    })

    test('registration gives free identifiers and never merges', async () => {
      const other = await link({ email: 'e@example.com' })
      const subjectId = newId(harness.clock.now())
      const elsewhere = await inWriteTransaction(harness.storage.db, async (trx) =>
        attachIdentifiers(trx, {
          workspaceId: tenant.workspaceId,
          subjectId,
          identifiers: await blind({ externalId: 'user-e' }, { email: 'e@example.com' }),
          now: harness.clock.now(),
        }),
      )
      assert.deepEqual(
        elsewhere.map((item) => item.kind),
        ['email'],
      )
      assert.equal((await person({ externalId: 'user-e' }))?.subjectId, subjectId)
      assert.equal((await person({ email: 'e@example.com' }))?.subjectId, other.kept.id)
    })

    test('the ledger meets a visitor once: the same identifier names the first subject made', async () => {
      const [identifier] = await blind({ anonymousId: 'anon-first-f' })
      assert.ok(identifier !== undefined)
      const named = async () =>
        inWriteTransaction(harness.storage.db, (trx) =>
          subjectNamedOrNew(trx, {
            workspaceId: tenant.workspaceId,
            identifier,
            candidateId: newId(harness.clock.now()),
            now: harness.clock.now(),
          }),
        )
      const first = await named()
      const second = await named()
      assert.equal(first.created, true)
      assert.deepEqual(second, { subjectId: first.subjectId, created: false })
    })

    test('another workspace does not see these subjects', async () => {
      const other = await createTenant(harness, 'Elsewhere Co')
      const found = await findLinkedSubjects(
        { db: harness.storage.db, keyring: harness.keyring },
        { workspaceId: other.workspaceId, subject: { externalId: 'user-a' } },
      )
      assert.equal(found, undefined)
    })
  })
}
