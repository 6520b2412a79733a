import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { runCli } from './cli-process.js'

// `operator create` checks the address by the same rule as the API (RFC 6531 accepted,
// look-alikes refused), where it used to take anything with one @ and no space.
const dataDir = mkdtempSync(join(tmpdir(), 'custodian-operator-email-'))
after(() => rmSync(dataDir, { recursive: true, force: true }))

const custodian = (args: string[]) => runCli([...args, '--data', dataDir, '--json'])

test('operator create takes an international address and refuses a look-alike unrepeated', () => {
  const workspace = custodian(['workspace', 'create', '--name', 'Bücher GmbH'])
  assert.equal(workspace.status, 0, workspace.stderr)
  const { id } = JSON.parse(workspace.stdout) as { id: string }
  const invite = (email: string) =>
    custodian(['operator', 'create', '--workspace', id, '--email', email, '--role', 'owner'])

  const accepted = invite('josé@bücher.de')
  assert.equal(accepted.status, 0, accepted.stderr)
  assert.match(accepted.stdout, /"setupUrl"/)

  const refused = invite('admin@\u0430pple.com') // a Cyrillic а
  assert.notEqual(refused.status, 0)
  assert.match(refused.stderr, /--email must be an email address/)
  assert.ok(!`${refused.stderr}${refused.stdout}`.includes('pple'), refused.stderr)
})
