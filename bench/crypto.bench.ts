/**
 * Encryption-at-rest costs, each against a baseline measured in the same run:
 *
 * - seal and open throughput for 100-byte values;
 * - inserting 100k contacts into SQLite sealed (subject keys made in the same
 *   transactions, blind index on the email) versus the same rows in clear, both as
 *   500-row INSERTs in one transaction per batch; once with every field sealed on its
 *   own and once with the personal fields sealed together as one JSON envelope;
 * - looking a contact up by email through its blind index among 1M contacts
 *   (BENCH_LOOKUP_ROWS to change; BENCH_CONTACTS for the insert comparison).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../src/clock.js'
import type { Keyring } from '../src/crypto/keyring.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { testMasterKey } from '../src/crypto/testing/keyring.js'
import { newId } from '../src/ids.js'
import { createLogger } from '../src/logger.js'
import type { Database } from '../src/storage/database.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { printFigure, ratio, timeIt } from './report.js'

const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000)
const lookupRows = Number(process.env.BENCH_LOOKUP_ROWS ?? 1_000_000)
const batchSize = 500
const workspaceId = 'ws_bench'

type PlainContacts = {
  id: string
  workspace_id: string
  email: string
  name: string
  ip: string
  message: string
  created_at: string
}
type FieldContacts = {
  id: string
  workspace_id: string
  email: Buffer
  email_index: Buffer
  name: Buffer
  ip: Buffer
  message: Buffer
  created_at: string
}
type EnvelopeContacts = {
  id: string
  workspace_id: string
  email_index: Buffer
  profile: Buffer
  created_at: string
}
type LookupContacts = {
  id: string
  workspace_id: string
  email_index: Buffer
  email: Buffer
}
type BenchTables = {
  plain_contacts: PlainContacts
  field_contacts: FieldContacts
  envelope_contacts: EnvelopeContacts
  lookup_contacts: LookupContacts
}

/**
 * The i-th person to sign up. Sign-ups arrive in no particular alphabetical order, so
 * the i-th email is a scrambled one (a multiplicative walk over 2^20 names): a plaintext
 * email index then takes inserts all over its B-tree, as in production and as a blind
 * index does, instead of the sorted appends `person.0`, `person.1`, … would give it.
 */
function emailOf(i: number): string {
  const name = (i * 7919 + 104_729) % 1_048_576
  return `person.${name.toString(36)}.${String(i)}@example-company.com`
}

function person(i: number) {
  return {
    email: emailOf(i),
    name: `Firstname${i} Lastname${i}`,
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    message: `Hello, I would like to know more about plan ${i % 7} for a team of ${i % 50} people.`,
  }
}

async function createTables(db: Database): Promise<void> {
  const text = 'text' as const
  const blob = 'blob' as const
  await db.schema
    .createTable('plain_contacts')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('email', text, (c) => c.notNull())
    .addColumn('name', text)
    .addColumn('ip', text)
    .addColumn('message', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('plain_contacts_email')
    .on('plain_contacts')
    .columns(['workspace_id', 'email'])
    .execute()
  await db.schema
    .createTable('field_contacts')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('email', blob, (c) => c.notNull())
    .addColumn('email_index', blob, (c) => c.notNull())
    .addColumn('name', blob)
    .addColumn('ip', blob)
    .addColumn('message', blob)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('field_contacts_email')
    .on('field_contacts')
    .columns(['workspace_id', 'email_index'])
    .execute()
  await db.schema
    .createTable('envelope_contacts')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('email_index', blob, (c) => c.notNull())
    .addColumn('profile', blob, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('envelope_contacts_email')
    .on('envelope_contacts')
    .columns(['workspace_id', 'email_index'])
    .execute()
  await db.schema
    .createTable('lookup_contacts')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull())
    .addColumn('email_index', blob, (c) => c.notNull())
    .addColumn('email', blob, (c) => c.notNull())
    .execute()
}

async function benchSealOpen(keyring: Keyring): Promise<void> {
  const sealer = await keyring.sealerFor(workspaceId, 'throughput')
  const value = Buffer.alloc(100, 'x')
  const field = { table: 'contacts', column: 'note', rowId: 'row' }
  const count = 50_000
  const sealed: Buffer[] = []
  for (let i = 0; i < 2000; i += 1) sealer.open(field, sealer.seal(field, value)) // warm-up
  const sealMs = await timeIt(() => {
    for (let i = 0; i < count; i += 1) sealed.push(sealer.seal(field, value))
  })
  const openMs = await timeIt(() => {
    for (const envelope of sealed) sealer.open(field, envelope)
  })
  printFigure('seal, 100-byte values', count / (sealMs / 1000), 'values/s')
  printFigure('open, 100-byte values', count / (openMs / 1000), 'values/s')
  printFigure('seal + open, 100-byte values', count / ((sealMs + openMs) / 1000), 'values/s')
  const indexer = await keyring.indexerFor(workspaceId)
  const indexMs = await timeIt(() => {
    for (let i = 0; i < count; i += 1) indexer.index('email', `person.${i}@example-company.com`)
  })
  printFigure('blind index (HMAC-SHA256) of an email', count / (indexMs / 1000), 'values/s')
}

async function insertPlain(db: Database, ids: string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += batchSize) {
    await db.transaction().execute(async (trx) => {
      const rows: PlainContacts[] = []
      const createdAt = new Date().toISOString()
      for (let i = start; i < Math.min(start + batchSize, ids.length); i += 1) {
        rows.push({
          id: ids[i] ?? '',
          workspace_id: workspaceId,
          ...person(i),
          created_at: createdAt,
        })
      }
      await trx.withTables<BenchTables>().insertInto('plain_contacts').values(rows).execute()
    })
  }
}

async function insertSealedFields(db: Database, keyring: Keyring, ids: string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += batchSize) {
    const batch = ids.slice(start, start + batchSize)
    await db.transaction().execute(async (trx) => {
      // The contact is the data subject: its key is made in the same transaction.
      const sealers = await keyring.sealersFor(workspaceId, batch, { db: trx })
      const indexer = await keyring.indexerFor(workspaceId, { db: trx })
      const createdAt = new Date().toISOString()
      const rows = batch.map((id, offset): FieldContacts => {
        const sealer = sealers.get(id)
        if (sealer === undefined) throw new Error('no sealer')
        const p = person(start + offset)
        return {
          id,
          workspace_id: workspaceId,
          email: sealer.seal({ table: 'field_contacts', column: 'email', rowId: id }, p.email),
          email_index: indexer.index('email', p.email),
          name: sealer.seal({ table: 'field_contacts', column: 'name', rowId: id }, p.name),
          ip: sealer.seal({ table: 'field_contacts', column: 'ip', rowId: id }, p.ip),
          message: sealer.seal(
            { table: 'field_contacts', column: 'message', rowId: id },
            p.message,
          ),
          created_at: createdAt,
        }
      })
      await trx.withTables<BenchTables>().insertInto('field_contacts').values(rows).execute()
    })
  }
}

/** Contacts sealed as one envelope each, under the key of `subjectOf(id, index)`. */
async function insertEnvelopes(
  db: Database,
  keyring: Keyring,
  ids: string[],
  subjectOf: (id: string, index: number) => string,
): Promise<void> {
  for (let start = 0; start < ids.length; start += batchSize) {
    const batch = ids.slice(start, start + batchSize)
    const subjects = batch.map((id, offset) => subjectOf(id, start + offset))
    await db.transaction().execute(async (trx) => {
      // A subject without a key gets one in the same transaction.
      const sealers = await keyring.sealersFor(workspaceId, subjects, { db: trx })
      const indexer = await keyring.indexerFor(workspaceId, { db: trx })
      const createdAt = new Date().toISOString()
      const rows = batch.map((id, offset): EnvelopeContacts => {
        const sealer = sealers.get(subjects[offset] ?? '')
        if (sealer === undefined) throw new Error('no sealer')
        const p = person(start + offset)
        return {
          id,
          workspace_id: workspaceId,
          email_index: indexer.index('email', p.email),
          profile: sealer.sealJson({ table: 'envelope_contacts', column: 'profile', rowId: id }, p),
          created_at: createdAt,
        }
      })
      await trx.withTables<BenchTables>().insertInto('envelope_contacts').values(rows).execute()
    })
  }
}

/** New contacts: each is its own data subject, so each gets a new key. */
function insertSealedEnvelope(db: Database, keyring: Keyring, ids: string[]): Promise<void> {
  return insertEnvelopes(db, keyring, ids, (id) => id)
}

/**
 * New contacts as a bulk import writes them: each batch sealed on the keyring's worker
 * thread (keys made there too) while this thread writes the batch before it.
 */
async function insertPipelined(db: Database, keyring: Keyring, ids: string[]): Promise<void> {
  const prepare = (start: number) =>
    keyring.prepareSealing(
      workspaceId,
      ids.slice(start, start + batchSize).map((id, offset) => {
        const p = person(start + offset)
        return {
          subjectId: id,
          cells: [{ field: { table: 'envelope_contacts', column: 'profile', rowId: id }, json: p }],
          indexes: [{ kind: 'email' as const, value: p.email }],
        }
      }),
      { newSubjects: true },
    )
  let next = prepare(0)
  for (let start = 0; start < ids.length; start += batchSize) {
    const current = await next
    if (start + batchSize < ids.length) next = prepare(start + batchSize)
    const batch = ids.slice(start, start + batchSize)
    await current.sealed()
    await db.transaction().execute(async (trx) => {
      const sealed = await current.commit(trx)
      const createdAt = new Date().toISOString()
      const rows = batch.map((id, offset): EnvelopeContacts => {
        const values = sealed[offset]
        const profile = values?.sealed[0]
        const emailIndex = values?.indexes[0]
        if (profile === undefined || emailIndex === undefined) throw new Error('not sealed')
        return {
          id,
          workspace_id: workspaceId,
          email_index: emailIndex,
          profile,
          created_at: createdAt,
        }
      })
      await trx.withTables<BenchTables>().insertInto('envelope_contacts').values(rows).execute()
    })
  }
}

/** Rows for subjects whose keys already exist (events of known contacts): no key is made. */
async function insertForKnownSubjects(
  db: Database,
  keyring: Keyring,
  ids: string[],
): Promise<void> {
  const subjects = Array.from({ length: 1000 }, (_, i) => `known_${String(i)}`)
  await keyring.sealersFor(workspaceId, subjects)
  await insertEnvelopes(db, keyring, ids, (_id, index) => subjects[index % subjects.length] ?? '')
}

/** Each scenario gets a fresh store, so none pays for another's rows or WAL. */
async function inFreshStore<T>(work: (db: Database, keyring: Keyring) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-crypto-'))
  const storage = openSqlite(dir)
  try {
    await migrateToLatest(storage)
    await createTables(storage.db)
    const keyring = await openKeyring({
      storage,
      config: { dataDir: dir, masterKey: testMasterKey('bench') },
      logger: createLogger({ level: 'silent' }),
      clock: new ManualClock(),
    })
    try {
      return await work(storage.db, keyring)
    } finally {
      await keyring.close()
    }
  } finally {
    await storage.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchInserts(): Promise<void> {
  // UUIDv7, as the product makes every id: time-ordered, so primary keys append.
  const ids = () => Array.from({ length: contacts }, () => newId())
  const timed = (insert: (db: Database, keyring: Keyring, ids: string[]) => Promise<void>) =>
    inFreshStore(async (db, keyring) => {
      const batch = ids()
      return timeIt(() => insert(db, keyring, batch))
    })
  const plainMs = await timed((db, _keyring, batch) => insertPlain(db, batch))
  const envelopeMs = await timed(insertSealedEnvelope)
  const pipelinedMs = await timed(insertPipelined)
  const fieldMs = await timed(insertSealedFields)
  const knownMs = await timed(insertForKnownSubjects)
  const label = `${contacts.toLocaleString('en-US')} contacts`
  printFigure(`insert ${label}, plaintext (baseline)`, plainMs, 'ms')
  printFigure(
    `insert ${label}, new subjects, one envelope`,
    envelopeMs,
    'ms',
    ratio(envelopeMs, plainMs),
  )
  printFigure(
    `insert ${label}, new subjects, one envelope, sealed on the worker`,
    pipelinedMs,
    'ms',
    ratio(pipelinedMs, plainMs),
  )
  printFigure(
    `insert ${label}, new subjects, 4 sealed fields`,
    fieldMs,
    'ms',
    ratio(fieldMs, plainMs),
  )
  printFigure(
    `insert ${contacts.toLocaleString('en-US')} rows, known subjects, one envelope`,
    knownMs,
    'ms',
    ratio(knownMs, plainMs),
  )
}

async function benchLookup(db: Database, keyring: Keyring): Promise<void> {
  const tables = db.withTables<BenchTables>()
  const indexer = await keyring.indexerFor(workspaceId)
  // Filler rows are sealed under one key to keep the build short; the look-up does
  // not depend on which subject key sealed a row.
  const filler = await keyring.sealerFor(workspaceId, 'lookup-filler')
  const chunk = 1000
  const buildMs = await timeIt(async () => {
    for (let start = 0; start < lookupRows; start += chunk * 10) {
      await tables.transaction().execute(async (trx) => {
        for (let from = start; from < Math.min(start + chunk * 10, lookupRows); from += chunk) {
          const rows: LookupContacts[] = []
          for (let i = from; i < Math.min(from + chunk, lookupRows); i += 1) {
            const id = `c${i}`
            const email = emailOf(i)
            rows.push({
              id,
              workspace_id: workspaceId,
              email_index: indexer.index('email', email),
              email: filler.seal({ table: 'lookup_contacts', column: 'email', rowId: id }, email),
            })
          }
          await trx.insertInto('lookup_contacts').values(rows).execute()
        }
      })
    }
    await tables.schema
      .createIndex('lookup_contacts_email')
      .on('lookup_contacts')
      .columns(['workspace_id', 'email_index'])
      .execute()
  })
  printFigure(
    `build ${lookupRows.toLocaleString('en-US')} contacts with blind index`,
    buildMs,
    'ms',
  )
  const probes = 2000
  let found = 0
  const lookupMs = await timeIt(async () => {
    for (let n = 0; n < probes; n += 1) {
      const i = (n * 7919) % lookupRows
      const row = await tables
        .selectFrom('lookup_contacts')
        .select(['id', 'email'])
        .where('workspace_id', '=', workspaceId)
        .where('email_index', '=', indexer.index('email', ` ${emailOf(i).toUpperCase()}`))
        .executeTakeFirst()
      if (row !== undefined) {
        filler.open({ table: 'lookup_contacts', column: 'email', rowId: row.id }, row.email)
        found += 1
      }
    }
  })
  if (found !== probes) throw new Error(`blind-index look-up found ${found} of ${probes}`)
  printFigure(
    `look-up by email among ${lookupRows.toLocaleString('en-US')} (index + query + open)`,
    (lookupMs * 1000) / probes,
    'µs/lookup',
  )
}

await inFreshStore((_db, keyring) => benchSealOpen(keyring))
await benchInserts()
await inFreshStore(benchLookup)
