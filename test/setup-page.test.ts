import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { browserSkip, launchChromium } from './browser.js'
import { runCli, startServeProcess } from './cli-process.js'

// The setup link an invited operator receives, opened in a real browser.
describe('the setup link in Chromium', { skip: browserSkip() }, () => {
  let dataDir: string
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-setup-page-'))
  })
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  test('opening the link, choosing a password and signing in with it', async () => {
    const workspace = JSON.parse(
      runCli(['workspace', 'create', '--name', 'Setup Co', '--data', dataDir, '--json']).stdout,
    ) as { id: string }
    // The browser first: if it cannot start, no server is left running to hold the test.
    const browser = await launchChromium()
    const server = await startServeProcess(['--data', dataDir]).catch(async (error: unknown) => {
      await browser.close()
      throw error
    })
    try {
      const invite = runCli(
        [
          'operator',
          'create',
          '--workspace',
          workspace.id,
          '--email',
          'new.owner@setup.example',
          '--role',
          'owner',
          '--data',
          dataDir,
          '--json',
        ],
        { CUSTODIAN_PUBLIC_URL: server.url },
      )
      const { setupUrl } = JSON.parse(invite.stdout) as { setupUrl: string }
      const page = await browser.newPage()
      const violations: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error') violations.push(message.text())
      })
      await page.goto(setupUrl)
      assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar once read')
      await page.fill('#password', 'short')
      await page.fill('#confirm', 'short')
      await page.click('button[type=submit]')
      assert.match((await page.textContent('#status')) ?? '', /at least 12/)
      await page.fill('#password', 'a calm and private passphrase')
      await page.fill('#confirm', 'a calm and private passphrase')
      await page.click('button[type=submit]')
      await page.waitForSelector('#status.done')
      assert.deepEqual(violations, [], 'no script or style blocked by the page’s CSP')

      const login = await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          workspaceId: workspace.id,
          email: 'new.owner@setup.example',
          password: 'a calm and private passphrase',
        }),
      })
      assert.equal(login.status, 200)

      await page.goto(setupUrl)
      await page.fill('#password', 'a calm and private passphrase')
      await page.fill('#confirm', 'a calm and private passphrase')
      await page.click('button[type=submit]')
      await page.waitForSelector('#status.error')
      assert.match((await page.textContent('#status')) ?? '', /unknown, used or expired/)
    } finally {
      await browser.close()
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})
