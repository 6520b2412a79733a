import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createAuditLog } from '../src/audit/audit.service.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openKeyring } from '../src/crypto/keyring.js'
import { totpCodeAt } from '../src/identity/totp.js'
import { openSqlite } from '../src/storage/sqlite.js'
import { captureLogs } from '../src/testing/log-capture.js'
import { runCli, type ServeProcess, startServeProcess } from './cli-process.js'

// An owner locked out in every way there is, brought back by the platform admin with
// the real `custodian` commands, run next to a running `serve` as on a real host.
describe('recovery from the host: operator invite-again, operator reset-2fa, keys create', () => {
  const env = { CUSTODIAN_MASTER_KEY: randomBytes(32).toString('base64') }
  const email = 'owner@recovery.example'
  let dataDir: string
  let workspaceId: string
  let server: ServeProcess

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-recovery-'))
    const workspace = custodian(['workspace', 'create', '--name', 'Locked Out Ltd'])
    workspaceId = (JSON.parse(workspace.stdout) as { id: string }).id
    server = await startServeProcess(['--data', dataDir], env)
  })
  after(async () => {
    server.child.kill('SIGTERM')
    await server.exited
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** The command with this data directory and key; `--json` unless `human`. */
  function custodian(args: string[], options: { human?: boolean; status?: number } = {}) {
    const result = runCli([...args, '--data', dataDir, ...(options.human ? [] : ['--json'])], {
      ...env,
      CUSTODIAN_PUBLIC_URL: 'https://custodian.example',
    })
    assert.equal(result.status, options.status ?? 0, result.stderr)
    return result
  }
  const recover = (command: string, extra: string[] = [], options = {}) =>
    custodian(
      ['operator', command, '--workspace', workspaceId, '--email', email, ...extra],
      options,
    )

  async function call(path: string, init: { body?: object; session?: Session; key?: string } = {}) {
    // A fresh connection each time: runCli blocks this process while the command runs,
    // so a kept-alive socket the server closed meanwhile would still look open to fetch.
    const headers: Record<string, string> = { connection: 'close' }
    if (init.body) headers['content-type'] = 'application/json'
    if (init.session) Object.assign(headers, init.session.headers)
    if (init.key) headers.authorization = `Bearer ${init.key}`
    return fetch(`${server.url}${path}`, {
      method: init.body ? 'POST' : 'GET',
      headers,
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    })
  }
  const setup = (token: string, password: string) =>
    call('/v1/auth/setup', { body: { token, password } })

  interface Session {
    headers: Record<string, string>
  }
  async function signIn(password: string): Promise<Session> {
    const response = await call('/v1/auth/login', { body: { workspaceId, email, password } })
    assert.equal(response.status, 200, await response.clone().text())
    const cookie = /custodian_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1]
    const { csrfToken } = (await response.json()) as { csrfToken: string }
    assert.ok(cookie)
    return { headers: { cookie: `custodian_session=${cookie}`, 'x-csrf-token': csrfToken } }
  }

  test('an owner gets back in after a lost invitation, a lost second factor and a lost password', async () => {
    const created = JSON.parse(
      custodian([
        'operator',
        'create',
        '--workspace',
        workspaceId,
        '--email',
        email,
        '--role',
        'owner',
      ]).stdout,
    ) as { setupToken: string }

    // The invitation went astray: a new link, and the first one stops working.
    const again = JSON.parse(recover('invite-again').stdout)
    assert.deepEqual(Object.keys(again).sort(), [
      'expiresAt',
      'id',
      'role',
      'setupToken',
      'setupUrl',
      'voidedLinks',
      'workspaceId',
    ])
    assert.equal(again.workspaceId, workspaceId)
    assert.equal(again.role, 'owner')
    assert.equal(again.voidedLinks, 1)
    assert.equal(again.setupUrl, `https://custodian.example/setup#token=${again.setupToken}`)
    const old = await setup(created.setupToken, 'a calm and private passphrase')
    assert.equal(old.status, 404)
    assert.equal(old.headers.get('content-type'), 'application/problem+json; charset=utf-8')
    assert.equal((await setup(again.setupToken, 'a calm and private passphrase')).status, 200)

    const first = await signIn('a calm and private passphrase')
    const enrolment = await call('/v1/me/2fa/enroll', { body: {}, session: first })
    const { secret } = (await enrolment.json()) as { secret: string }
    const confirm = await call('/v1/me/2fa/confirm', {
      body: { code: totpCodeAt(secret, new Date()) },
      session: first,
    })
    assert.equal(confirm.status, 200)
    assert.equal((await call('/v1/operators', { session: first })).status, 200)

    // The phone is lost, and the recovery codes with it.
    const reset = recover('reset-2fa', [], { human: true })
    assert.match(
      reset.stdout,
      /^Two-factor authentication of operator \S+ \(owner\) turned off; 10 recovery codes deleted, 1 session ended\.\nThe owner role reaches nothing until two-factor authentication is on again/,
    )
    assert.equal((await call('/v1/me', { session: first })).status, 401, 'signed out')
    const second = await signIn('a calm and private passphrase')
    const blocked = await call('/v1/operators', { session: second })
    assert.equal(((await blocked.json()) as { code: string }).code, 'two_factor_required')

    // Then the password is forgotten too.
    const link = recover('invite-again', [], { human: true })
    const url = /^(https:\/\/custodian\.example\/setup#token=\S+)$/m.exec(link.stdout)?.[1]
    assert.ok(url, link.stdout)
    assert.match(link.stdout, /^Operator \S+ \(owner\) invited again\.\n/)
    assert.equal(
      (await setup(new URL(url).hash.slice('#token='.length), 'a new and private passphrase'))
        .status,
      200,
    )
    assert.equal((await call('/v1/me', { session: second })).status, 401, 'signed out again')
    await signIn('a new and private passphrase')
  })

  test('keys create makes a secret key that reads the workspace and a public key that reads no contact', async () => {
    const secret = JSON.parse(
      custodian([
        'keys',
        'create',
        '--workspace',
        workspaceId,
        '--kind',
        'secret',
        '--name',
        'Billing',
      ]).stdout,
    )
    assert.deepEqual(
      { kind: secret.kind, label: secret.label, workspaceId: secret.workspaceId },
      { kind: 'secret', label: 'Billing', workspaceId },
    )
    assert.match(secret.key, /^cus_sk_/)
    const workspace = await call('/v1/workspace', { key: secret.key })
    assert.equal(workspace.status, 200)
    assert.equal(((await workspace.json()) as { id: string }).id, workspaceId)

    const human = custodian(['keys', 'create', '--workspace', workspaceId, '--kind', 'public'], {
      human: true,
    })
    const publicKey = /^Public key \(browser SDK\): (cus_pk_\S+)$/m.exec(human.stdout)?.[1]
    assert.ok(publicKey, human.stdout)
    assert.match(human.stdout, /"Browser SDK" \(public\)/)
    assert.equal((await call('/v1/contacts', { key: publicKey })).status, 403)
  })

  test('mistakes get one clear line and exit 1, no stack and no email echoed', () => {
    const cases: [string[], RegExp][] = [
      [
        [
          'operator',
          'invite-again',
          '--workspace',
          workspaceId,
          '--email',
          'nobody@recovery.example',
        ],
        /^custodian: No operator in this workspace has this email\n$/,
      ],
      [
        ['operator', 'reset-2fa', '--workspace', 'ws_missing', '--email', email],
        /^custodian: No such workspace\n$/,
      ],
      [
        ['operator', 'reset-2fa', '--workspace', workspaceId, '--email', 'not-an-email'],
        /^custodian: --email must be an email address\n$/,
      ],
      [
        ['keys', 'create', '--workspace', workspaceId, '--kind', 'private'],
        /^custodian: --kind must be secret or public\n$/,
      ],
      [
        ['keys', 'create', '--workspace', 'ws_missing', '--kind', 'secret'],
        /^custodian: No such workspace\n$/,
      ],
    ]
    for (const [args, message] of cases) {
      const result = custodian(args, { status: 1 })
      assert.equal(result.stdout, '')
      assert.match(result.stderr, message)
    }
  })

  test('every step is in the audit log under the system actor, and the chain holds', async () => {
    const storage = openSqlite(dataDir)
    const config = loadConfig({ env: { DATA_DIR: dataDir, ...env } })
    const keyring = await openKeyring({
      storage,
      config,
      logger: captureLogs().logger,
      clock: systemClock,
    })
    const audit = createAuditLog({ db: storage.db, keyring, clock: systemClock })
    try {
      const { entries } = await audit.listEntries(workspaceId, { limit: 200 })
      const bySystem = entries
        .filter((entry) => entry.actor.type === 'system')
        .map((entry) => [entry.action, entry.details])
        .reverse()
      assert.deepEqual(bySystem, [
        ['workspace.created', null],
        ['api_key.created', { kind: 'public' }],
        ['api_key.created', { kind: 'secret' }],
        ['operator.created', { role: 'owner' }],
        ['operator.setup_link_reissued', { voidedLinks: 1, passwordSet: false }],
        [
          'auth.two_factor_reset',
          { twoFactorWasOn: true, recoveryCodesDeleted: 10, sessionsEnded: 1 },
        ],
        ['operator.setup_link_reissued', { voidedLinks: 0, passwordSet: true }],
        ['api_key.created', { kind: 'secret' }],
        ['api_key.created', { kind: 'public' }],
      ])
      assert.ok(entries.some((entry) => entry.action === 'auth.password_reset'))
    } finally {
      await audit.close()
      await keyring.close()
      await storage.close()
    }
    const verify = custodian(['audit', 'verify'])
    assert.equal(JSON.parse(verify.stdout).ok, true)
  })
})
