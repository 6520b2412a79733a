/**
 * Backups of a store of about 1 GB (BENCH_BACKUP_MB to change; BENCH_DIALECT=postgres for
 * the dump), each figure beside `gpg --encrypt` of the same snapshot file in the same run:
 *
 * - backup: snapshot, OpenPGP encryption to one recipient and signing, written whole,
 *   then the key vault (MB/s of snapshot), in a child process whose peak RSS is read;
 * - gpg: `gpg --encrypt` of the snapshot file to the same recipient, uncompressed as the
 *   backup is, and with gpg's default compression;
 * - restore: decryption, signature check, the snapshot written into an empty target, the
 *   vault joined, in a child process too.
 *
 * Goals (issue 20): backup ≥ 0.5× gpg, backup peak RSS < 200 MB.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { createAuditLog } from '../src/audit/index.js'
import {
  armoredOf,
  createBackup,
  readIdentityKeys,
  readRecipientKeys,
  restoreBackup,
  signingPublicKeys,
} from '../src/backup/index.js'
import { copySqliteStore } from '../src/backup/sqlite-snapshot.js'
import { openRestoreTarget, targetModulesOpener } from '../src/cli/backup.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openKeyring } from '../src/crypto/index.js'
import { testMasterKey } from '../src/crypto/testing/keyring.js'
import { createLogger } from '../src/logger.js'
import { createModules } from '../src/modules.js'
import { sealedColumnsOfModules } from '../src/personal-data-sources.js'
import {
  insertRows,
  migrateToLatest,
  openPostgres,
  openSqlite,
  type Storage,
} from '../src/storage/index.js'
import { createWorkspace } from '../src/workspaces/index.js'
import { printFigure, ratio } from './report.js'

const targetMb = Number(process.env.BENCH_BACKUP_MB ?? 1024)
const dialect = process.env.BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const masterKey = testMasterKey('backup-bench')
const logger = createLogger({ level: 'silent' })
const system = { actorType: 'system' as const, actorId: null }

interface Setup {
  work: string
  dataDir: string
  schema?: string
  recipientFile: string
  identityFile: string
  out: string
}

function configOf(setup: Setup, target?: { dataDir?: string; schema?: string }) {
  return loadConfig({
    env: {
      DATA_DIR: target?.dataDir ?? setup.dataDir,
      CUSTODIAN_MASTER_KEY: masterKey,
      ...(dialect === 'postgres' ? { DATABASE_URL: postgresUrl } : {}),
    },
  })
}

function storageOf(setup: Setup): Storage {
  return dialect === 'postgres'
    ? openPostgres({ connectionString: postgresUrl, schema: setup.schema ?? '' })
    : openSqlite(setup.dataDir)
}

async function withModules<T>(
  setup: Setup,
  work: (modules: ReturnType<typeof createModules>) => Promise<T>,
) {
  const storage = storageOf(setup)
  const config = configOf(setup)
  const keyring = await openKeyring({
    storage,
    config,
    logger,
    clock: systemClock,
    sealedColumns: sealedColumnsOfModules(),
  })
  const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock, logger })
  const modules = createModules({
    config,
    storage,
    keyring,
    audit,
    clock: systemClock,
    logger,
    publicUrl: () => '',
  })
  try {
    return await work(modules)
  } finally {
    await modules.close()
    await audit.close()
    await keyring.close()
    await storage.close()
  }
}

/** The child process that makes one backup and reports its time and peak RSS. */
async function childBackup(setup: Setup): Promise<void> {
  const keys = await readRecipientKeys([readFileSync(setup.recipientFile)])
  const recipientKeys = await armoredOf(keys)
  // Timed from the call: opening the store and the modules is the process's start.
  let ms = 0
  const report = await withModules(setup, async (modules) => {
    const started = process.hrtime.bigint()
    const made = await createBackup(modules.backup, {
      recipients: keys,
      recipientKeys,
      directory: setup.out,
      actor: system,
    })
    ms = Number(process.hrtime.bigint() - started) / 1e6
    return made
  })
  process.stdout.write(
    JSON.stringify({
      ms,
      file: report.file,
      bytes: report.snapshotBytes,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  )
}

async function childRestore(setup: Setup, file: string): Promise<void> {
  const signers = await withModules(
    setup,
    async (modules) => (await signingPublicKeys(modules.backup)).keys,
  )
  const identity = await readIdentityKeys(readFileSync(setup.identityFile))
  const schema = `bench_restored_${String(process.pid)}`
  const restored = join(setup.work, 'restored')
  if (dialect === 'postgres') await admin(`create schema ${schema}`)
  const started = process.hrtime.bigint()
  const report = await restoreBackup({
    file,
    identity,
    signers,
    target:
      dialect === 'postgres'
        ? { dialect, connectionString: postgresUrl, schema }
        : { dialect, directory: restored, fileName: 'custodian.sqlite' },
    actor: system,
    openTarget: openRestoreTarget,
    openTargetModules: targetModulesOpener(configOf(setup, { dataDir: restored }), logger),
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (dialect === 'postgres') await admin(`drop schema ${schema} cascade`)
  process.stdout.write(
    JSON.stringify({ ms, bytes: report.snapshotBytes, maxRssKb: process.resourceUsage().maxRSS }),
  )
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A store of about `targetMb` MB: sealed-looking (random, incompressible) rows, and keys for the vault. */
async function fill(setup: Setup): Promise<void> {
  const storage = storageOf(setup)
  await migrateToLatest(storage)
  await storage.close()
  // A workspace made as a first start would make it (its keys, the signing key), then
  // tracking events of ~1 KB sealed-looking (random, incompressible) bytes each, and
  // subject keys for the vault, written straight into the tables.
  const rowBytes = 1000
  // A row with its five indexes takes about 1.6 KB of the store.
  const rows = Math.round((targetMb * 1024 * 1024) / 1650)
  const subjectKeys = 20_000
  await withModules(setup, async (modules) => {
    const workspace = await createWorkspace(modules.workspaces, { name: 'Bench', actor: system })
    const db = modules.core.storage.db
    const at = '2026-12-01T00:00:00.000Z'
    for (let done = 0; done < rows; done += 500) {
      const batch = Array.from({ length: Math.min(500, rows - done) }, (_, i) => ({
        workspace_id: workspace.id,
        id: `event-${String(done + i)}`,
        type: 'page',
        subject_id: `subject-${String((done + i) % subjectKeys)}`,
        anonymous_index: randomBytes(32),
        external_index: null,
        occurred_at: at,
        received_at: at,
        browser: 'Firefox',
        browser_version: '133',
        os: 'Linux',
        device: 'desktop',
        country: 'DE',
        sealed: randomBytes(rowBytes),
      }))
      await insertRows(db, 'tracking_events', eventColumns, batch)
    }
    for (let done = 0; done < subjectKeys; done += 500) {
      const batch = Array.from({ length: Math.min(500, subjectKeys - done) }, (_, i) => ({
        workspace_id: workspace.id,
        subject_id: `subject-${String(done + i)}`,
        version: 1,
        wrapped_key: randomBytes(61),
        workspace_key_version: 1,
        status: 'active',
        created_at: at,
      }))
      await insertRows(db, 'subject_keys', keyColumns, batch)
    }
  })
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(join(setup.dataDir, 'custodian.sqlite'))
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
  }
}

const eventColumns = [
  'workspace_id',
  'id',
  'type',
  'subject_id',
  'anonymous_index',
  'external_index',
  'occurred_at',
  'received_at',
  'browser',
  'browser_version',
  'os',
  'device',
  'country',
  'sealed',
] as const
const keyColumns = [
  'workspace_id',
  'subject_id',
  'version',
  'wrapped_key',
  'workspace_key_version',
  'status',
  'created_at',
] as const

function runChild(args: string[]): { ms: number; bytes: number; maxRssKb: number; file?: string } {
  const result = spawnSync(process.execPath, [process.argv[1] ?? '', ...args], {
    maxBuffer: 1 << 20,
  })
  if (result.status !== 0)
    throw new Error(`child ${args[0] ?? ''} failed: ${result.stderr.toString()}`)
  return JSON.parse(result.stdout.toString()) as {
    ms: number
    bytes: number
    maxRssKb: number
    file?: string
  }
}

function gpg(home: string, args: string[]): number {
  const started = process.hrtime.bigint()
  const result = spawnSync('gpg', [
    '--homedir',
    home,
    '--batch',
    '--yes',
    '--trust-model',
    'always',
    ...args,
  ])
  if (result.status !== 0) throw new Error(`gpg failed: ${result.stderr.toString()}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}

async function main(): Promise<void> {
  const [mode, setupFile, file] = process.argv.slice(2)
  if (mode !== undefined && setupFile !== undefined) {
    const setup = JSON.parse(readFileSync(setupFile, 'utf8')) as Setup
    if (mode === 'child-backup') await childBackup(setup)
    if (mode === 'child-restore') await childRestore(setup, file ?? '')
    return
  }
  const work = mkdtempSync(join(tmpdir(), 'custodian-backup-bench-'))
  const gnupgHome = join(work, 'gnupg')
  spawnSync('mkdir', ['-m', '700', gnupgHome])
  const setup: Setup = {
    work,
    dataDir: join(work, 'data'),
    recipientFile: join(work, 'ops.asc'),
    identityFile: join(work, 'ops-secret.asc'),
    out: join(work, 'backups'),
    ...(dialect === 'postgres' ? { schema: `bench_backup_${String(process.pid)}` } : {}),
  }
  const setupFile2 = join(work, 'setup.json')
  writeFileSync(setupFile2, JSON.stringify(setup))
  try {
    if (setup.schema !== undefined) await admin(`create schema ${setup.schema}`)
    spawnSync('gpg', [
      '--homedir',
      gnupgHome,
      '--batch',
      '--passphrase',
      '',
      '--quick-gen-key',
      'Bench <bench@example.org>',
      'default',
      'default',
      'never',
    ])
    writeFileSync(
      setup.recipientFile,
      spawnSync('gpg', ['--homedir', gnupgHome, '--armor', '--export', 'bench@example.org']).stdout,
    )
    writeFileSync(
      setup.identityFile,
      spawnSync('gpg', [
        '--homedir',
        gnupgHome,
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--armor',
        '--export-secret-keys',
        'bench@example.org',
      ]).stdout,
    )
    console.log(`filling a ${dialect} store of about ${String(targetMb)} MB…`)
    await fill(setup)

    const backup = runChild(['child-backup', setupFile2])
    const mb = backup.bytes / 1e6
    // The same snapshot as a file, for gpg: the store copied as the backup copies it
    // (SQLite), or the clear dump gpg gets back from the backup (PostgreSQL).
    const snapshot = join(work, 'snapshot.bin')
    if (dialect === 'sqlite') {
      const copy = await copySqliteStore(
        join(setup.dataDir, 'custodian.sqlite'),
        join(work, 'copy'),
      )
      spawnSync('mv', [copy, snapshot])
    } else {
      spawnSync('sh', [
        '-c',
        `gpg --homedir ${gnupgHome} --batch --quiet --decrypt '${backup.file ?? ''}' > ${snapshot} 2>/dev/null`,
      ])
    }
    const gpgPlainMs = gpg(gnupgHome, [
      '--compress-algo',
      'none',
      '--recipient',
      'bench@example.org',
      '--output',
      join(work, 'gpg-plain.pgp'),
      '--encrypt',
      snapshot,
    ])
    const gpgDefaultMs = gpg(gnupgHome, [
      '--recipient',
      'bench@example.org',
      '--output',
      join(work, 'gpg-default.pgp'),
      '--encrypt',
      snapshot,
    ])
    const gpgPlain = mb / (gpgPlainMs / 1000)
    const restore = runChild(['child-restore', setupFile2, backup.file ?? ''])

    const backupRate = mb / (backup.ms / 1000)
    const restoreRate = restore.bytes / 1e6 / (restore.ms / 1000)
    const gpgDefault = mb / (gpgDefaultMs / 1000)
    printFigure('snapshot size', mb, 'MB', dialect)
    printFigure('gpg --encrypt (default: zlib compression) — baseline', gpgDefault, 'MB/s')
    printFigure('gpg --encrypt --compress-algo none', gpgPlain, 'MB/s')
    printFigure(
      'backup (snapshot, encrypt, sign, write, vault)',
      backupRate,
      'MB/s',
      `${ratio(backupRate, gpgDefault)} (goal ≥ 0.5); ${(backupRate / gpgPlain).toFixed(2)}x uncompressed gpg`,
    )
    printFigure(
      'restore (decrypt, verify, write, vault, replay)',
      restoreRate,
      'MB/s',
      `${ratio(restoreRate, gpgDefault)}; ${(restoreRate / gpgPlain).toFixed(2)}x uncompressed gpg`,
    )
    printFigure('backup process peak RSS', backup.maxRssKb / 1024, 'MB', 'goal < 200')
    printFigure('restore process peak RSS', restore.maxRssKb / 1024, 'MB')
  } finally {
    spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all'])
    if (setup.schema !== undefined) await admin(`drop schema if exists ${setup.schema} cascade`)
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
