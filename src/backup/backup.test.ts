import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { openKeyring } from '../crypto/index.js'
import { bearer, createTenant, type TenantFixture } from '../identity/testing/fixtures.js'
import { targetModulesOpener, openRestoreTarget } from '../cli/index.js'
import { createLogger } from '../logger.js'
import { sealedColumnsOfModules } from '../personal-data-sources.js'
import type { Storage } from '../storage/index.js'
import { dialectSkip, testDatabaseUrl, testDialects } from '../storage/testing/dialects.js'
import { encodingsOf } from '../storage/testing/dump.js'
import { eraseSubject } from '../subjects/index.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'
import {
  armoredOf,
  createBackup,
  readIdentityKeys,
  readRecipientKeys,
  refreshVaults,
  restoreBackup,
  type RestoreTarget,
  signingKeyFileName,
  signingPublicKeys,
  verifyBackup,
} from './index.js'
import { activeSigningKey } from './signing-key.js'
import { type GnupgHome, makeGnupgHome, openpgpKey, quickGenKey } from './testing/gpg.js'
import { loadRawSnapshot, openEverything } from './testing/raw-snapshot.js'

/**
 * Backups end to end on both dialects, with the real GnuPG: a backup gpg decrypts, a
 * gpg-made key as a recipient, a restore where every contact opens, a tampered byte
 * refused, and an erasure that reaches a backup taken before it.
 */
interface Person {
  email: string
  externalId: string
  anonymousId: string
  name: string
  page: string
}

const ada: Person = {
  email: 'ada.backup@example.com',
  externalId: 'ada-backup-42',
  anonymousId: 'anon-ada-backup',
  name: 'Ada Backupford',
  page: 'https://shop.example/ada-backup-page',
}
const bob: Person = {
  email: 'bob.backup@example.com',
  externalId: 'bob-backup-7',
  anonymousId: 'anon-bob-backup',
  name: 'Bob Backupson',
  page: 'https://shop.example/bob-backup-page',
}

const system = { actorType: 'system' as const, actorId: null }
const silent = createLogger({ level: 'silent' })

for (const dialect of testDialects) {
  describe(`backups [${dialect}]`, { skip: dialectSkip(dialect) }, () => {
    let harness: TestApp
    let tenant: TenantFixture
    let gnupg: GnupgHome
    let operatorKey: { publicKey: string; secretKey: string }
    let gpgKey: { publicKey: string; secretKey: string }
    let out: string
    const cleanups: (() => Promise<void>)[] = []

    before(async () => {
      harness = await buildTestApp({ dialect })
      tenant = await createTenant(harness, 'Backup Co')
      for (const person of [ada, bob]) await makePerson(person)
      out = mkdtempSync(join(tmpdir(), 'custodian-backups-'))
      gnupg = makeGnupgHome()
      gpgKey = quickGenKey(gnupg, 'Ops Team <ops@example.org>')
      operatorKey = await openpgpKey('Backup Operator')
      // The operator's own key, made elsewhere, imported into gpg as they would, and
      // the instance's signing key, which gpg checks every backup's signature against.
      gnupg.run(['--import'], operatorKey.secretKey)
      await activeSigningKey(harness.modules.backup)
      gnupg.run(['--import'], (await signingPublicKeys(harness.modules.backup)).armored.join('\n'))
    })
    after(async () => {
      for (const cleanup of cleanups) await cleanup()
      await harness.close()
      gnupg.remove()
      rmSync(out, { recursive: true, force: true })
    })

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
      const contact = (await call('GET', `/v1/contacts?email=${person.email}`, secretKey)).json<{
        data: { id: string }[]
      }>().data[0]
      assert.ok(contact, 'identify made the contact')
      const conversation = (
        await call('POST', '/v1/conversations', secretKey, { contactId: contact.id })
      ).json<{ id: string }>()
      await call('POST', `/v1/conversations/${conversation.id}/messages`, secretKey, {
        body: `${person.name} here, about my order`,
        from: 'contact',
      })
    }

    async function backUp(recipients: string[]) {
      const keys = await readRecipientKeys(recipients.map((text) => Buffer.from(text)))
      return createBackup(harness.modules.backup, {
        recipients: keys,
        recipientKeys: await armoredOf(keys),
        directory: out,
        actor: system,
      })
    }

    /** A fresh, empty target of this dialect, removed after the suite. */
    function newTarget(): RestoreTarget {
      if (dialect === 'sqlite') {
        const directory = join(mkdtempSync(join(tmpdir(), 'custodian-restored-')), 'data')
        cleanups.push(async () => rmSync(join(directory, '..'), { recursive: true, force: true }))
        return { dialect: 'sqlite', directory, fileName: 'custodian.sqlite' }
      }
      const schema = `restored_${String(process.pid)}_${Math.random().toString(36).slice(2, 10)}`
      cleanups.push(() => adminQuery(`drop schema if exists ${schema} cascade`))
      return { dialect: 'postgres', connectionString: testDatabaseUrl, schema }
    }

    async function restore(file: string, target: RestoreTarget, secretKey: string) {
      if (target.dialect === 'postgres') await adminQuery(`create schema ${target.schema ?? ''}`)
      return restoreBackup({
        file,
        identity: await readIdentityKeys(Buffer.from(secretKey)),
        signers: (await signingPublicKeys(harness.modules.backup)).keys,
        target,
        actor: system,
        openTarget: openRestoreTarget,
        openTargetModules: targetModulesOpener(harness.config, silent),
      })
    }

    /** The restored store served by the real app, with the instance's master key. */
    async function serveRestored(target: RestoreTarget): Promise<TestApp> {
      const storage: Storage = openRestoreTarget(target)
      return buildTestApp({
        store: { storage, cleanup: () => storage.close() },
        env: { CUSTODIAN_MASTER_KEY: harness.config.masterKey },
      })
    }

    test('gpg decrypts a backup, to the operator’s key and to a key gpg made, and the contacts open after a restore', async () => {
      const report = await backUp([operatorKey.publicKey, gpgKey.publicKey])
      assert.ok(report.vault.subjectKeys > 0, 'the vault holds the subject keys')
      const signingKey = readFileSync(join(out, signingKeyFileName))
      const { clear, report: said } = gnupg.decrypt(report.file)
      assert.match(said, /Good signature/)
      assert.equal(createHash('sha256').update(clear).digest('hex'), report.snapshotSha256)
      const head = clear.subarray(0, 16).toString('latin1')
      assert.ok(head.startsWith(dialect === 'sqlite' ? 'SQLite format 3' : 'CUSTODIAN-PGDUMP'))
      // The gpg-made key alone opens it too (its own home, nothing else imported).
      const other = makeGnupgHome()
      try {
        other.run(['--import'], gpgKey.secretKey)
        // The instance's signing key, left beside the backups, is what gpg checks against.
        other.run(['--import'], signingKey)
        assert.ok(other.decrypt(report.file).clear.equals(clear))
      } finally {
        other.remove()
      }

      const target = newTarget()
      const restored = await restore(report.file, target, gpgKey.secretKey)
      assert.equal(restored.snapshotBytes, report.snapshotBytes)
      const served = await serveRestored(target)
      try {
        const listed = await served.app.inject({
          method: 'GET',
          url: '/v1/contacts',
          headers: bearer(tenant.secretKey),
        })
        assert.equal(listed.statusCode, 200, listed.body)
        const contacts = listed.json<{ data: { email: string; name: string }[] }>().data
        assert.deepEqual(contacts.map((contact) => contact.email).sort(), [ada.email, bob.email])
        assert.deepEqual(contacts.map((contact) => contact.name).sort(), [ada.name, bob.name])
      } finally {
        await served.close()
      }
    })

    test('the snapshot holds no subject key: they are in the vault only', async () => {
      const report = await backUp([operatorKey.publicKey])
      const clear = gnupg.decrypt(report.file).clear
      const keys = await harness.storage.db
        .selectFrom('subject_keys')
        .select('wrapped_key')
        .execute()
      assert.ok(keys.length > 0)
      for (const { wrapped_key: key } of keys) {
        assert.equal(clear.indexOf(key), -1, 'a wrapped subject key is in the snapshot')
      }
    })

    test('one altered byte and verify refuses the backup; the untouched file verifies', async () => {
      const report = await backUp([operatorKey.publicKey])
      const identity = await readIdentityKeys(Buffer.from(operatorKey.secretKey))
      const signers = (await signingPublicKeys(harness.modules.backup)).keys
      const verified = await verifyBackup(harness.modules.backup, {
        file: report.file,
        identity,
        signers,
        actor: system,
      })
      assert.equal(verified.payloadSha256, report.snapshotSha256)
      assert.equal(verified.matchesRecord, true)
      assert.equal(verified.signedBy, report.signedBy, 'signed by the instance’s key')
      const bytes = readFileSync(report.file)
      for (const at of [Math.floor(bytes.length / 2), bytes.length - 3]) {
        const tampered = Buffer.from(bytes)
        tampered[at] = (tampered[at] ?? 0) ^ 0x01
        const file = join(out, `tampered-${String(at)}.sqlite.pgp`)
        writeFileSync(file, tampered)
        await assert.rejects(
          verifyBackup(harness.modules.backup, { file, identity, signers, actor: system }),
          (error: Error & { code?: string }) => error.code === 'invalid_request',
        )
        rmSync(file)
      }
      const entries = await harness.storage.db
        .selectFrom('audit_entries')
        .select(['action', 'outcome'])
        .where('action', '=', 'backup.verified')
        .execute()
      assert.ok(entries.some((entry) => entry.outcome === 'succeeded'))
      assert.ok(entries.filter((entry) => entry.outcome === 'failed').length >= 2)
    })

    test('restoring into a store that is not empty is refused', async () => {
      const report = await backUp([operatorKey.publicKey])
      const target = newTarget()
      await restore(report.file, target, operatorKey.secretKey)
      await assert.rejects(
        restoreBackup({
          file: report.file,
          identity: await readIdentityKeys(Buffer.from(operatorKey.secretKey)),
          signers: (await signingPublicKeys(harness.modules.backup)).keys,
          target,
          actor: system,
          openTarget: openRestoreTarget,
          openTargetModules: targetModulesOpener(harness.config, silent),
        }),
        (error: Error & { code?: string }) => error.code === 'conflict',
      )
    })

    test('a key destroyed outside an erasure (a redaction, retention) leaves the vault too', async () => {
      // A key holder of its own, as a message body with a finding has (inbox).
      const holder = 'msg_backup_vault_probe'
      await harness.keyring.sealerFor(tenant.workspaceId, holder)
      await backUp([operatorKey.publicKey])
      const vaultKeys = async () =>
        (
          await harness.storage.db
            .selectFrom('audit_entries')
            .select(['seq', 'details'])
            .where('action', '=', 'backup.vault_written')
            .orderBy('seq', 'desc')
            .execute()
        ).map((entry) => {
          const details = (
            typeof entry.details === 'string' ? JSON.parse(entry.details) : entry.details
          ) as { subjectKeys: number }
          return details.subjectKeys
        })
      const [withHolder] = await vaultKeys()
      assert.equal((await refreshVaults(harness.modules.backup)).rewritten, 0, 'nothing changed')

      await harness.keyring.shredSubject(tenant.workspaceId, holder)
      assert.equal((await refreshVaults(harness.modules.backup)).rewritten, 1)
      const [withoutHolder] = await vaultKeys()
      assert.ok(withHolder !== undefined && withoutHolder !== undefined)
      assert.ok(withoutHolder < withHolder, 'the new vault lacks the destroyed key')
      assert.equal((await refreshVaults(harness.modules.backup)).rewritten, 0, 'and once is enough')
    })

    test('an erasure reaches a backup taken before it', async () => {
      const first = await backUp([operatorKey.publicKey])
      const erased = await eraseSubject(harness.modules.subjects, {
        workspaceId: tenant.workspaceId,
        names: [{ email: ada.email }],
        actor: system,
      })
      const record = await harness.storage.db
        .selectFrom('subject_erasures')
        .select('key_holders')
        .where('id', '=', erased.erasureId)
        .executeTakeFirstOrThrow()
      const holders = JSON.parse(record.key_holders) as string[]
      assert.ok(holders.length > 0)
      // The vault job rewrites every vault after the erasure; the older one is destroyed.
      const refreshed = await refreshVaults(harness.modules.backup)
      assert.equal(refreshed.rewritten, 1)
      assert.equal(existsSync(first.vault.file), false, 'the vault from before the erasure is gone')
      await backUp([operatorKey.publicKey])

      // Restored by Custodian: Ada's rows are gone, none of her keys came back; Bob is whole.
      const target = newTarget()
      const restored = await restore(first.file, target, operatorKey.secretKey)
      assert.ok(restored.erasuresReplayed >= 1)
      const served = await serveRestored(target)
      try {
        const listed = await served.app.inject({
          method: 'GET',
          url: '/v1/contacts',
          headers: bearer(tenant.secretKey),
        })
        const contacts = listed.json<{ data: { email: string; name: string }[] }>().data
        assert.deepEqual(
          contacts.map((contact) => [contact.email, contact.name]),
          [[bob.email, bob.name]],
        )
        const keys = await served.storage.db
          .selectFrom('subject_keys')
          .select('subject_id')
          .where('subject_id', 'in', holders)
          .execute()
        assert.deepEqual(keys, [])
        const rows = await served.storage.db
          .selectFrom('contacts')
          .select('id')
          .where('subject_id', 'in', holders)
          .execute()
        assert.deepEqual(rows, [])
      } finally {
        await served.close()
      }

      // By hand: the first snapshot decrypted with gpg, every key the instance still
      // holds put beside it, every sealed value opened that opens: nothing of Ada.
      const raw = gnupg.decrypt(first.file).clear
      const loaded = await loadRawSnapshot(raw, dialect)
      try {
        const held = await harness.storage.db.selectFrom('subject_keys').selectAll().execute()
        for (const row of held) {
          await loaded.storage.db
            .insertInto('subject_keys')
            .values(row)
            .onConflict((conflict) => conflict.doNothing())
            .execute()
        }
        const keyring = await openKeyring({
          storage: loaded.storage,
          config: harness.config,
          logger: silent,
          clock: harness.clock,
          sealedColumns: sealedColumnsOfModules(),
        })
        let opened: Buffer
        let refused: number
        try {
          const everything = await openEverything(loaded.storage, keyring)
          opened = Buffer.concat(everything.opened)
          refused = everything.refused
        } finally {
          await keyring.close()
        }
        assert.ok(refused > 0, 'Ada’s values are there, sealed, and do not open')
        const haystack = Buffer.concat([raw, opened])
        for (const identifier of [ada.email, ada.name, ada.externalId, ada.anonymousId, ada.page]) {
          for (const encoded of encodingsOf(identifier)) {
            assert.equal(haystack.indexOf(encoded), -1, `${identifier} is readable`)
          }
        }
        // The scan can find a person: Bob's values open.
        assert.ok(opened.indexOf(Buffer.from(bob.email)) >= 0, 'Bob opens')
        assert.ok(opened.indexOf(Buffer.from(bob.name)) >= 0, 'Bob opens')
      } finally {
        await loaded.cleanup()
      }
    })
  })
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
