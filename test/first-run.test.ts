import assert from 'node:assert/strict'
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { runCli, startServeProcess } from './cli-process.js'

// The path a new platform admin takes on a fresh machine, with the real command.
let dataDir: string
before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'custodian-first-run-'))
})
after(() => rmSync(dataDir, { recursive: true, force: true }))

test('workspace create, operator create, serve, set a password, sign in', async () => {
  const workspace = runCli([
    'workspace',
    'create',
    '--name',
    'Acme GmbH',
    '--data',
    dataDir,
    '--json',
  ])
  assert.equal(workspace.status, 0, workspace.stderr)
  const created = JSON.parse(workspace.stdout) as {
    id: string
    region: string
    publicKey: string
    secretKey: string
  }
  assert.equal(created.region, 'eu')
  assert.match(created.secretKey, /^cus_sk_/)
  assert.match(created.publicKey, /^cus_pk_/)

  const operator = runCli([
    'operator',
    'create',
    '--workspace',
    created.id,
    '--email',
    'owner@acme.example',
    '--role',
    'owner',
    '--data',
    dataDir,
    '--json',
  ])
  assert.equal(operator.status, 0, operator.stderr)
  const invite = JSON.parse(operator.stdout) as { setupUrl: string; setupToken: string }
  assert.ok(invite.setupUrl.endsWith(invite.setupToken))

  const server = await startServeProcess(['--data', dataDir])
  try {
    const workspaceView = await fetch(`${server.url}/v1/workspace`, {
      headers: { authorization: `Bearer ${created.secretKey}` },
    })
    assert.equal(workspaceView.status, 200)
    assert.equal(((await workspaceView.json()) as { name: string }).name, 'Acme GmbH')

    const setup = await fetch(`${server.url}/v1/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: invite.setupToken, password: 'a long and private passphrase' }),
    })
    assert.equal(setup.status, 200)
    const login = await fetch(`${server.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        workspaceId: created.id,
        email: 'owner@acme.example',
        password: 'a long and private passphrase',
      }),
    })
    assert.equal(login.status, 200)
    assert.match(
      login.headers.get('set-cookie') ?? '',
      /custodian_session=.*HttpOnly.*Secure.*SameSite=Strict/i,
    )
  } finally {
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0)
  }

  // Nothing personal in clear in the database file, its WAL or the logs.
  for (const name of readdirSync(dataDir).filter((file) => file.startsWith('custodian.sqlite'))) {
    assert.ok(
      !readFileSync(join(dataDir, name)).includes('owner@acme.example'),
      `${name} holds the email in clear`,
    )
  }
  assert.ok(!server.output.join('\n').includes('owner@acme.example'))

  const verify = runCli(['audit', 'verify', '--data', dataDir, '--json'])
  assert.equal(verify.status, 0, verify.stderr + verify.stdout)
})
