import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { makeGnupgHome, type GnupgHome, quickGenKey } from '../src/backup/testing/gpg.js'
import { runCli, startServeProcess } from './cli-process.js'

// The platform admin's whole round: a backup made with the real command while serve
// runs, listed, verified, refused once altered, restored into a new directory with a
// key gpg made, and served from there with every contact opening.
let work: string
let gnupg: GnupgHome
before(() => {
  work = mkdtempSync(join(tmpdir(), 'custodian-backup-cli-'))
  gnupg = makeGnupgHome()
})
after(() => {
  gnupg.remove()
  rmSync(work, { recursive: true, force: true })
})

const people = [
  { email: 'carla.cli@example.com', name: 'Carla Clifford' },
  { email: 'dan.cli@example.com', name: 'Dan Clinton' },
]

test('backup create, list, verify and restore with the command line, while serve runs', async () => {
  const dataDir = join(work, 'data')
  const out = join(work, 'backups')
  const keys = quickGenKey(gnupg, 'Ops <ops@example.org>')
  writeFileSync(join(work, 'ops.asc'), keys.publicKey)
  writeFileSync(join(work, 'ops-secret.asc'), keys.secretKey)

  const workspace = runCli(['workspace', 'create', '--name', 'Cli Co', '--data', dataDir, '--json'])
  assert.equal(workspace.status, 0, workspace.stderr)
  const { id, secretKey } = JSON.parse(workspace.stdout) as { id: string; secretKey: string }
  const file = join(work, 'people.jsonl')
  writeFileSync(file, people.map((person) => JSON.stringify(person)).join('\n'))
  const imported = runCli([
    'contacts',
    'import',
    '--workspace',
    id,
    '--file',
    file,
    '--data',
    dataDir,
  ])
  assert.equal(imported.status, 0, imported.stderr)

  const serve = await startServeProcess(['--data', dataDir])
  let backupFile: string
  try {
    const created = runCli([
      'backup',
      'create',
      '--recipient',
      join(work, 'ops.asc'),
      '--out',
      out,
      '--data',
      dataDir,
      '--json',
    ])
    assert.equal(created.status, 0, created.stderr)
    backupFile = (JSON.parse(created.stdout) as { file: string }).file
  } finally {
    serve.child.kill('SIGTERM')
    await serve.exited
  }

  const listed = runCli(['backup', 'list', '--data', dataDir, '--json'])
  assert.equal(listed.status, 0, listed.stderr)
  const files = JSON.parse(listed.stdout) as { kind: string; status: string }[]
  assert.deepEqual(files.map((row) => `${row.kind} ${row.status}`).sort(), [
    'snapshot good',
    'vault good',
  ])

  const identity = ['--identity', join(work, 'ops-secret.asc')]
  const verified = runCli([
    'backup',
    'verify',
    backupFile,
    ...identity,
    '--data',
    dataDir,
    '--json',
  ])
  assert.equal(verified.status, 0, verified.stderr)
  assert.equal((JSON.parse(verified.stdout) as { kind: string }).kind, 'sqlite')
  const bytes = readFileSync(backupFile)
  const at = Math.floor(bytes.length / 3)
  bytes[at] = (bytes[at] ?? 0) ^ 0x10
  const altered = join(work, 'altered.sqlite.pgp')
  writeFileSync(altered, bytes)
  const refused = runCli(['backup', 'verify', altered, ...identity, '--data', dataDir])
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /does not verify|does not open/)

  // A new directory, on another machine as far as the command knows: the master key is
  // given, the signing key is the one beside the backups.
  const restoredDir = join(work, 'restored')
  const masterKeyFile = join(dataDir, 'master.key')
  const restored = runCli([
    'backup',
    'restore',
    backupFile,
    ...identity,
    '--data',
    restoredDir,
    '--master-key-file',
    masterKeyFile,
    '--json',
  ])
  assert.equal(restored.status, 0, restored.stderr)
  const again = runCli([
    'backup',
    'restore',
    backupFile,
    ...identity,
    '--data',
    restoredDir,
    '--master-key-file',
    masterKeyFile,
  ])
  assert.equal(again.status, 1, 'a directory that is not empty is refused')
  assert.match(again.stderr, /not empty/)

  const served = await startServeProcess([
    '--data',
    restoredDir,
    '--master-key-file',
    masterKeyFile,
  ])
  try {
    const response = await fetch(`${served.url}/v1/contacts`, {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    assert.equal(response.status, 200)
    const body = (await response.json()) as { data: { email: string; name: string }[] }
    assert.deepEqual(
      body.data.map((contact) => `${contact.name} <${contact.email}>`).sort(),
      people.map((person) => `${person.name} <${person.email}>`).sort(),
    )
  } finally {
    served.child.kill('SIGTERM')
    await served.exited
  }
})
