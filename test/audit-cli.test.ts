import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import SqliteDatabase from 'better-sqlite3'
import type { RecordedEntry } from '../src/audit/appender.js'
import { createAuditLog } from '../src/audit/audit.service.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { migrateToLatest } from '../src/storage/migrate.js'
import { openSqlite, sqliteFileName } from '../src/storage/sqlite.js'
import { captureLogs } from '../src/testing/log-capture.js'
import { runCli } from './cli-process.js'

// The administrator's path: entries written by the application, `custodian audit verify`
// run as a separate command, then the database file edited behind the application's back.
describe('custodian audit verify', () => {
  const masterKey = randomBytes(32).toString('base64')
  const env = { CUSTODIAN_MASTER_KEY: masterKey }
  const dirs: string[] = []
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** A data directory holding `count` audit entries, written through the library. */
  async function dataDirWith(
    count: number,
  ): Promise<{ dataDir: string; recorded: RecordedEntry[] }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'custodian-audit-cli-'))
    dirs.push(dataDir)
    const storage = openSqlite(dataDir)
    const config = loadConfig({ env: { DATA_DIR: dataDir, ...env } })
    try {
      await migrateToLatest(storage)
      const logger = captureLogs().logger
      const keyring = await openKeyring({ storage, config, logger, clock: systemClock })
      const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock })
      const recorded = await audit.recordMany(
        Array.from({ length: count }, (_, index) => ({
          workspaceId: 'ws-cli',
          actor: { actorType: 'operator' as const, actorId: `op-${index % 2}` },
          action: 'contact.read',
          resource: { type: 'contact', id: `c-${index}` },
          subjectId: `c-${index}`,
          purpose: 'support',
          outcome: 'allowed' as const,
          ip: '203.0.113.7',
        })),
      )
      await audit.close()
      await keyring.close()
      return { dataDir, recorded }
    } finally {
      await storage.close()
    }
  }

  /** Edits the SQLite file directly, as someone with access to the disk could. */
  function tamperFile(dataDir: string, statements: string[]): void {
    const file = new SqliteDatabase(join(dataDir, sqliteFileName))
    try {
      file.exec('drop trigger audit_entries_no_update; drop trigger audit_entries_no_delete;')
      for (const statement of statements) file.exec(statement)
    } finally {
      file.close()
    }
  }

  function verify(dataDir: string, json = true) {
    return runCli(['audit', 'verify', '--data', dataDir, ...(json ? ['--json'] : [])], env)
  }

  test('an untouched log verifies: exit 0, ok and the entry count', async () => {
    const { dataDir } = await dataDirWith(12)
    const result = verify(dataDir)
    assert.equal(result.status, 0, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.ok, true)
    assert.equal(report.entries, 12)
    assert.equal(report.head.seq, 12)
    assert.match(report.head.hash, /^[0-9a-f]{64}$/)
    const human = verify(dataDir, false)
    assert.equal(human.status, 0, human.stderr)
    assert.match(human.stdout, /^ok, 12 entries \(head 12 [0-9a-f]{64}\)\n$/)
  })

  test('an entry altered in the file: exit 1, naming that entry', async () => {
    const { dataDir, recorded } = await dataDirWith(12)
    tamperFile(dataDir, ["update audit_entries set action = 'contact.exported' where seq = 5"])
    const result = verify(dataDir)
    assert.equal(result.status, 1, result.stderr)
    const report = JSON.parse(result.stdout)
    assert.equal(report.ok, false)
    assert.deepEqual(
      { seq: report.firstBroken.seq, id: report.firstBroken.id, reason: report.firstBroken.reason },
      { seq: 5, id: recorded[4]?.id, reason: 'hash mismatch' },
    )
    assert.equal(report.entries, 4)
    const human = verify(dataDir, false)
    assert.equal(human.status, 1)
    assert.match(
      human.stdout,
      new RegExp(`^BROKEN at entry 5 \\(${recorded[4]?.id}\\): hash mismatch`),
    )
  })

  test('an entry deleted from the file, or the newest one: exit 1, naming its position', async () => {
    const middle = await dataDirWith(12)
    tamperFile(middle.dataDir, ['delete from audit_entries where seq = 8'])
    const middleReport = verify(middle.dataDir)
    assert.equal(middleReport.status, 1)
    assert.deepEqual(JSON.parse(middleReport.stdout).firstBroken.seq, 8)
    assert.equal(JSON.parse(middleReport.stdout).firstBroken.reason, 'sequence gap')

    const newest = await dataDirWith(12)
    tamperFile(newest.dataDir, ['delete from audit_entries where seq = 12'])
    const newestReport = verify(newest.dataDir)
    assert.equal(newestReport.status, 1)
    const broken = JSON.parse(newestReport.stdout).firstBroken
    assert.deepEqual(
      { seq: broken.seq, id: broken.id, reason: broken.reason },
      { seq: 12, id: newest.recorded[11]?.id, reason: 'head mismatch' },
    )
  })

  test('two entries swapped in the file: exit 1, naming the earlier one', async () => {
    const { dataDir } = await dataDirWith(12)
    tamperFile(dataDir, [
      'update audit_entries set seq = -3 where seq = 3',
      'update audit_entries set seq = 3 where seq = 9',
      'update audit_entries set seq = 9 where seq = -3',
    ])
    const result = verify(dataDir)
    assert.equal(result.status, 1)
    assert.equal(JSON.parse(result.stdout).firstBroken.seq, 3)
  })

  test('with another master key the command refuses instead of vouching for the log', async () => {
    const { dataDir } = await dataDirWith(3)
    const result = runCli(['audit', 'verify', '--data', dataDir, '--json'], {
      CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64'),
    })
    assert.equal(result.status, 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /master key/i)
  })
})
