import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { runCli, startServeProcess } from './cli-process.js'

// An import as a business moving to Custodian runs it: a file of its customers, in
// several batches, with the usual few bad lines.
let dataDir: string
before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'custodian-import-'))
})
after(() => rmSync(dataDir, { recursive: true, force: true }))

test('contacts import makes every good line a sealed contact and reports each bad line', async () => {
  const workspace = runCli([
    'workspace',
    'create',
    '--name',
    'Importer',
    '--data',
    dataDir,
    '--json',
  ])
  assert.equal(workspace.status, 0, workspace.stderr)
  const { id, secretKey } = JSON.parse(workspace.stdout) as { id: string; secretKey: string }

  const lines = Array.from({ length: 1203 }, (_, i) =>
    JSON.stringify({
      email: `customer.${i}@import.example`,
      name: `Customer ${i}`,
      attributes: { plan: i % 2 === 0 ? 'pro' : 'team', seats: i % 40 },
    }),
  )
  lines[9] = '' // blank lines are skipped
  lines[10] = '{"email": "broken'
  lines[11] = JSON.stringify({ email: 'not an email' })
  lines[12] = JSON.stringify({ name: 'No email, no external id' })
  // The same customer twice, in two different batches: the second is refused.
  lines[900] = JSON.stringify({ email: 'Customer.2@Import.example', name: 'Again' })
  lines[901] = JSON.stringify({ externalId: 'crm-901', attributes: { seats: 'many' } })
  const file = join(dataDir, 'customers.jsonl')
  // As some spreadsheet exports write it: a byte-order mark first, and CRLF line ends.
  writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`)

  const run = runCli([
    'contacts',
    'import',
    '--workspace',
    id,
    '--file',
    file,
    '--data',
    dataDir,
    '--json',
  ])
  assert.equal(run.status, 1, run.stderr)
  const report = JSON.parse(run.stdout) as {
    lines: number
    created: number
    rejected: { line: number; problem: { code: string; detail: string } }[]
  }
  assert.equal(report.lines, 1203)
  assert.deepEqual(
    report.rejected.map((item) => [item.line, item.problem.code]),
    [
      [11, 'invalid_request'],
      [12, 'invalid_request'],
      [13, 'invalid_request'],
      [901, 'conflict'],
      [902, 'invalid_request'],
    ],
  )
  assert.equal(report.rejected[3]?.problem.detail, 'Line 901 has the email of another contact')
  assert.equal(report.created, 1203 - 1 - 5)

  const human = runCli(['contacts', 'import', '--workspace', id, '--file', file, '--data', dataDir])
  assert.equal(human.status, 1)
  assert.match(human.stdout, /^Imported 0 contacts from 1,203 lines; 1,202 rejected:/)

  // Nothing of the file is in the database files in clear.
  for (const name of readdirSync(dataDir).filter((entry) => entry.startsWith('custodian.sqlite'))) {
    const bytes = readFileSync(join(dataDir, name))
    for (const secret of ['customer.1200@import.example', 'Customer 1200', 'crm-901']) {
      assert.ok(!bytes.includes(secret), `${name} holds ${secret}`)
    }
  }

  const server = await startServeProcess(['--data', dataDir])
  try {
    const found = await fetch(`${server.url}/v1/contacts?email=customer.1200@import.example`, {
      headers: { authorization: `Bearer ${secretKey}` },
    })
    const page = (await found.json()) as { data: { name: string; attributes: object }[] }
    assert.deepEqual(
      page.data.map((contact) => [contact.name, contact.attributes]),
      [['Customer 1200', { plan: 'pro', seats: 0 }]],
    )
  } finally {
    server.child.kill('SIGTERM')
    await server.exited
  }
})

test('contacts import names a workspace or a file that does not exist and makes nothing', () => {
  const file = join(dataDir, 'one.jsonl')
  writeFileSync(file, '{"email":"one@import.example"}\n')
  const run = runCli([
    'contacts',
    'import',
    '--workspace',
    'ws_missing',
    '--file',
    file,
    '--data',
    dataDir,
  ])
  assert.equal(run.status, 1)
  assert.match(run.stderr, /No such workspace/)
  const missing = runCli([
    'contacts',
    'import',
    '--workspace',
    'ws_missing',
    '--file',
    join(dataDir, 'absent.jsonl'),
    '--data',
    dataDir,
  ])
  assert.equal(missing.status, 1)
  assert.match(missing.stderr, /--file .*absent\.jsonl cannot be read/)
})
