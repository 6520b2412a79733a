import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { testMasterKey } from '../crypto/testing/keyring.js'
import { icoControllerColumns, processorColumns } from '../governance/index.js'
import { parseCsv } from '../governance/testing/csv.js'

const dataDir = mkdtempSync(join(tmpdir(), 'custodian-governance-cli-'))
after(() => rmSync(dataDir, { recursive: true, force: true }))

/** The real command in a child process, as the platform admin runs it. */
function custodian(args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data', dataDir],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        CUSTODIAN_MASTER_KEY: testMasterKey(),
        DATABASE_URL: '',
        LOG_LEVEL: 'warn',
      },
    },
  )
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('governance on the command line', () => {
  let workspaceId = ''

  test('ropa export writes the ICO template CSV for the only workspace, and the processor record', () => {
    const created = custodian(['workspace', 'create', '--name', 'Cli Ltd', '--json'])
    assert.equal(created.status, 0, created.stderr)
    workspaceId = (JSON.parse(created.stdout) as { id: string }).id
    const out = join(dataDir, 'ropa.csv')
    const exported = custodian(['ropa', 'export', '--format', 'csv', '--out', out])
    assert.equal(exported.status, 0, exported.stderr)
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'))
    assert.deepEqual(header, [...icoControllerColumns])
    assert.ok(rows.some((row) => row[4]?.includes('(payment-details)')))
    const processor = custodian(['ropa', 'export', '--format', 'csv', '--record', 'processor'])
    assert.equal(processor.status, 0, processor.stderr)
    const [processorHeader, ...controllers] = parseCsv(processor.stdout)
    assert.deepEqual(processorHeader, [...processorColumns])
    assert.equal(controllers.length, 1)
    const json = custodian(['ropa', 'export', '--format', 'json'])
    assert.equal(JSON.parse(json.stdout).controllerRecord.workspace.id, workspaceId)
    const badFormat = custodian(['ropa', 'export', '--format', 'xml'])
    assert.equal(badFormat.status, 1)
    assert.match(badFormat.stderr, /--format is csv, json or html/)
  })

  test("subprocessors add registers the instance's relay, which every workspace then sees", () => {
    const file = join(dataDir, 'relay.json')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'Relay Ltd',
        service: 'Mail relay',
        dataCategories: ['identifiers', 'operator-account'],
        country: 'IE',
        endpoints: ['smtp.relay.example'],
        dpa: { signedOn: '2026-01-10', reference: 'DPA-7' },
        transferMechanism: { type: 'none' },
      }),
    )
    const added = custodian(['subprocessors', 'add', '--file', file, '--json'])
    assert.equal(added.status, 0, added.stderr)
    const relay = JSON.parse(added.stdout) as {
      id: string
      scope: string
      transferCheck: { allowed: boolean }
    }
    assert.equal(relay.scope, 'instance')
    assert.equal(relay.transferCheck.allowed, true)
    const listed = custodian(['subprocessors', 'list', '--workspace', workspaceId, '--json'])
    const entries = (JSON.parse(listed.stdout) as { data: { id: string; scope: string }[] }).data
    assert.ok(entries.some((entry) => entry.id === relay.id && entry.scope === 'instance'))
    assert.equal(entries.filter((entry) => entry.scope === 'workspace').length, 2, 'the seeds')
    const change = join(dataDir, 'retire.json')
    writeFileSync(change, JSON.stringify({ status: 'retired' }))
    const retired = custodian([
      'subprocessors',
      'set',
      '--id',
      relay.id,
      '--file',
      change,
      '--json',
    ])
    assert.equal(retired.status, 0, retired.stderr)
    assert.equal(JSON.parse(retired.stdout).transferCheck.refusal, 'retired')
  })

  test('signing-key rotate makes a new key and keeps the old one published', () => {
    const first = custodian(['signing-key', 'rotate', '--workspace', workspaceId, '--json'])
    assert.equal(first.status, 0, first.stderr)
    const second = custodian(['signing-key', 'rotate', '--workspace', workspaceId, '--json'])
    const rotated = JSON.parse(second.stdout) as { retiredKid: string; kid: string }
    assert.equal(rotated.retiredKid, (JSON.parse(first.stdout) as { kid: string }).kid)
    const unknown = custodian([
      'signing-key',
      'rotate',
      '--workspace',
      '019b0000-0000-7000-8000-00000000dead',
    ])
    assert.equal(unknown.status, 1)
    assert.match(unknown.stderr, /No such workspace/)
  })
})
