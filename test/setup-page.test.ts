import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { totpCodeAt } from '../src/identity/totp.js'
import { browserSkip, launchChromium } from './browser.js'
import { runCli, startServeProcess } from './cli-process.js'

const email = 'new.owner@setup.example'
const passphrase = 'a calm and private passphrase'

/** The text of an element, once it is shown. */
async function shownText(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector, { state: 'visible' })
  return (await page.textContent(selector)) ?? ''
}

async function signIn(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/signin`)
  await page.fill('#email', email)
  await page.fill('#password', passphrase)
  await page.click('button[type=submit]')
}

async function signOut(page: Page): Promise<void> {
  await page.click('#signout')
  await page.waitForSelector('#signin', { state: 'visible' })
  assert.match(await shownText(page, '#status'), /signed out/)
}

// The path of a new operator, in a real browser: the setup link, then the sign-in page.
describe('from invitation to signed in, in Chromium', { skip: browserSkip() }, () => {
  let dataDir: string
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-setup-page-'))
  })
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  const createWorkspace = (name: string) =>
    JSON.parse(
      runCli(['workspace', 'create', '--name', name, '--data', dataDir, '--json']).stdout,
    ) as {
      id: string
    }
  const invite = (workspaceId: string, publicUrl: string) => {
    const invitation = runCli(
      [
        'operator',
        'create',
        '--workspace',
        workspaceId,
        '--email',
        email,
        '--role',
        'owner',
      ].concat(['--data', dataDir, '--json']),
      { CUSTODIAN_PUBLIC_URL: publicUrl },
    )
    return (JSON.parse(invitation.stdout) as { setupUrl: string }).setupUrl
  }

  test('setting a password, signing in, two-factor, and choosing between workspaces', async () => {
    const first = createWorkspace('Setup Co')
    // The browser first: if it cannot start, no server is left running to hold the test.
    const browser = await launchChromium()
    const server = await startServeProcess(['--data', dataDir]).catch(async (error: unknown) => {
      await browser.close()
      throw error
    })
    try {
      const setupUrl = invite(first.id, server.url)
      const page = await browser.newPage()
      const blocked: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
          blocked.push(message.text())
        }
      })

      // The link is checked on load: the workspace and the (masked) email are shown.
      await page.goto(setupUrl)
      assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar once read')
      assert.equal(await shownText(page, '#workspace'), 'Setup Co')
      assert.equal(await shownText(page, '#email'), 'n…r@setup.example')
      await page.fill('#password', 'short')
      await page.fill('#confirm', 'short')
      await page.click('button[type=submit]')
      assert.match((await page.textContent('#status')) ?? '', /at least 12/)
      await page.fill('#password', passphrase)
      await page.fill('#confirm', passphrase)
      await page.click('button[type=submit]')
      await page.waitForSelector('#status.done')
      assert.match(await shownText(page, '#status'), /Setup Co is set/)
      assert.equal(await page.isHidden('#setup'), true, 'the form is gone')
      assert.equal(await page.inputValue('#password'), '', 'and holds no password')

      // Done: a link to the sign-in page, where email and password are enough.
      await page.click('#signin')
      await page.waitForURL(`${server.url}/signin`)
      await page.fill('#email', email)
      await page.fill('#password', passphrase)
      await page.click('button[type=submit]')
      assert.equal(await shownText(page, '#who'), email)
      assert.equal(await shownText(page, '#workspace'), 'Setup Co')
      assert.equal(await shownText(page, '#workspace-id'), first.id)
      assert.equal(await shownText(page, '#api-url'), `${server.url}/v1`)
      assert.equal(await page.getAttribute('#docs', 'href'), '/v1/openapi.json')
      const csrfToken = await shownText(page, '#csrf')
      assert.equal(await page.inputValue('#password'), '', 'the password is not kept')

      // The session works from a script on the page, writes with the CSRF token shown.
      const enrolment = await page.evaluate(async (token) => {
        const me = await fetch('/v1/me')
        const enroll = await fetch('/v1/me/2fa/enroll', {
          method: 'POST',
          headers: { 'x-csrf-token': token },
        })
        return { me: me.status, secret: ((await enroll.json()) as { secret: string }).secret }
      }, csrfToken)
      assert.equal(enrolment.me, 200)
      const confirmed = await page.evaluate(
        async ({ token, code }) =>
          (
            await fetch('/v1/me/2fa/confirm', {
              method: 'POST',
              headers: { 'x-csrf-token': token, 'content-type': 'application/json' },
              body: JSON.stringify({ code }),
            })
          ).status,
        { token: csrfToken, code: totpCodeAt(enrolment.secret, new Date()) },
      )
      assert.equal(confirmed, 200)
      await signOut(page)

      // With two-factor on, the page asks for the code and completes the sign-in.
      await signIn(page, server.url)
      await page.waitForSelector('#second-factor', { state: 'visible' })
      // The next time step's code: the one that confirmed enrolment may not be used again.
      await page.fill('#code', totpCodeAt(enrolment.secret, new Date(Date.now() + 30_000)))
      await page.click('button[type=submit]')
      assert.equal(await shownText(page, '#workspace'), 'Setup Co')
      await signOut(page)

      // A used link says so on load, before anyone types a password.
      await page.goto(setupUrl)
      await page.waitForSelector('#status.error')
      assert.match(await shownText(page, '#status'), /unknown, used or expired/)
      assert.equal(await page.isHidden('#setup'), true)

      // Invited to a second workspace with the same email: the password opens both.
      const second = createWorkspace('Second Co')
      await page.goto(invite(second.id, server.url))
      assert.equal(await shownText(page, '#workspace'), 'Second Co')
      await page.fill('#password', passphrase)
      await page.fill('#confirm', passphrase)
      await page.click('button[type=submit]')
      await page.waitForSelector('#status.done')
      await signIn(page, server.url)
      await page.waitForSelector('#choose', { state: 'visible' })
      const choices = await page.locator('#workspaces label').allTextContents()
      assert.deepEqual(
        choices.map((choice) => choice.trim()),
        ['Setup Co', 'Second Co'],
      )
      await page.check(`input[name=workspace][value="${second.id}"]`)
      await page.click('button[type=submit]')
      assert.equal(await shownText(page, '#workspace'), 'Second Co')
      assert.deepEqual(blocked, [], 'no script or style blocked by the pages’ CSP')
    } finally {
      await browser.close()
      server.child.kill('SIGTERM')
      await server.exited
    }
  })
})
