/**
 * Makes an upgrade fixture: a store as an older release of Custodian leaves it, for
 * upgrade.test.ts to migrate and read back with today's code.
 *
 * It runs the release's OWN `custodian` command (CLI and `serve`) on a fresh SQLite
 * data directory with a fresh test-only master key, makes a small world through the
 * release's REST API (release-world.ts), stops it and takes every table's rows, then
 * starts it once more to read everything back (recorded-reads.ts), and writes the rows,
 * the master key, the clear-text facts and the recorded answers to one JSON file. Only the CLI and REST
 * contract is used, so the same script makes a fixture of any release.
 *
 * Run it from this checkout against a checkout of the pinned release, built:
 *
 *   git worktree add /tmp/custodian-c6a3ec2 c6a3ec2
 *   (cd /tmp/custodian-c6a3ec2 && npm ci)   # npm ci builds dist/ (the prepare script)
 *   node --import tsx test/upgrade/make-fixture.ts \
 *     --release /tmp/custodian-c6a3ec2 --out test/upgrade/c6a3ec2.json
 *
 * The release's own password hashing cost applies (scrypt at 128 MiB), so signing in
 * with the fixture's passwords takes about half a second each.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { runCli, type ServeProcess, startServeProcess } from '../cli-process.js'
import { dumpSqliteFile } from './dump-sqlite.js'
import { fixtureText, type UpgradeFixture } from './fixture-file.js'
import { recordReads } from './recorded-reads.js'
import { ReleaseApi, textAt } from './release-client.js'
import { populatePhaseOne, populatePhaseTwo } from './release-world.js'
import { ownerInput, purposeNames, visitors } from './world-people.js'

const workspaceName = 'Upgrade Fixture GmbH'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { release: { type: 'string' }, out: { type: 'string' } },
  })
  if (values.release === undefined || values.out === undefined) {
    throw new Error('Usage: make-fixture.ts --release <checkout of the release> --out <file.json>')
  }
  const release = resolve(values.release)
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-upgrade-fixture-'))
  try {
    const fixture = await makeFixture(release, dataDir)
    const out = resolve(values.out)
    const text = fixtureText(fixture)
    writeFileSync(out, text)
    process.stdout.write(`${out}: ${Math.round(text.length / 1024)} KiB\n`)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function makeFixture(release: string, dataDir: string): Promise<UpgradeFixture> {
  const bin = join(release, 'bin', 'custodian.js')
  const masterKey = randomBytes(32).toString('base64')
  const env = {
    DATA_DIR: dataDir,
    CUSTODIAN_MASTER_KEY: masterKey,
    CUSTODIAN_MASTER_KEY_FILE: '',
    DATABASE_URL: '',
    CUSTODIAN_PUBLIC_URL: 'https://custodian.test',
    LOG_LEVEL: 'info',
  }
  const cli = (...args: string[]): unknown => {
    const result = runCli([...args, '--json'], env, bin)
    if (result.status !== 0) throw new Error(`custodian ${args.join(' ')}: ${result.stderr}`)
    return JSON.parse(result.stdout)
  }
  const workspace = cli('workspace', 'create', '--name', workspaceName)
  const workspaceId = textAt(workspace, 'id')
  const ownerInvite = cli(
    'operator',
    'create',
    ...['--workspace', workspaceId, '--email', ownerInput.email, '--role', 'owner'],
  )
  const keys = {
    publicKey: textAt(workspace, 'publicKey'),
    secretKey: textAt(workspace, 'secretKey'),
  }

  const first = await startServeProcess([], env, bin)
  const api = new ReleaseApi(first.url, keys)
  const one = await populatePhaseOne(api, {
    workspaceId,
    ownerId: textAt(ownerInvite, 'id'),
    ownerSetupToken: textAt(ownerInvite, 'setupToken'),
  })
  await stop(first)
  // A new workspace key version: data sealed before and after it must both survive.
  cli('keys', 'rotate', '--workspace', workspaceId)

  const second = await startServeProcess([], env, bin)
  const later = new ReleaseApi(second.url, api.keys)
  const contacts = await populatePhaseTwo(later, one)
  const session = later.keys.session
  if (session === undefined) throw new Error('The owner signed in during phase one')
  const facts = {
    workspace: {
      id: workspaceId,
      name: workspaceName,
      ...keys,
      extraSecretKey: one.extraSecretKey,
    },
    ownerSession: session,
    owner: one.owner,
    agent: one.agent,
    contacts,
    visitors,
    purposes: purposeNames,
  }
  await stop(second)
  const madeAt = new Date().toISOString()
  const { schemaVersion, tables } = dumpSqliteFile(join(dataDir, 'custodian.sqlite'))

  // The release reads everything back once more, after the rows were taken: the audit
  // entries of these reads are not in the fixture, which keeps it small.
  const third = await startServeProcess([], env, bin)
  const reads = await recordReads(new ReleaseApi(third.url, later.keys), facts)
  await stop(third)
  return {
    about:
      'Upgrade fixture made by test/upgrade/make-fixture.ts with the release below, through its own CLI and REST API. TEST ONLY: the master key opens this fixture and nothing else; every name and address in it is invented.',
    madeBy: { commit: commitOf(release), at: madeAt },
    schemaVersion,
    testOnlyMasterKey: masterKey,
    facts,
    reads,
    tables,
  }
}

async function stop(server: ServeProcess): Promise<void> {
  server.child.kill('SIGTERM')
  const code = await server.exited
  if (code !== 0) throw new Error(`The release's serve exited with ${String(code)}`)
}

function commitOf(release: string): string {
  const result = spawnSync('git', ['-C', release, 'rev-parse', 'HEAD'], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${release} is not a git checkout: ${result.stderr}`)
  return result.stdout.trim()
}

await main()
