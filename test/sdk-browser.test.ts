import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { browserSkip, chromiumArgs, chromiumPath } from './browser.js'
import { runCli, type ServeProcess, startServeProcess } from './cli-process.js'

// The SDK in real Chromium (Debian's), against the real server, from pages served on
// another origin so CORS is exercised. Under CI a missing Chromium fails the run.

const dist = fileURLToPath(new URL('../sdk/dist/', import.meta.url))
const screenSize = { width: 1366, height: 768 }

interface Workspace {
  id: string
  publicKey: string
  secretKey: string
}

interface StoredEvent {
  type: string
  browser: string | null
  os: string | null
  device: string
  payload: {
    url?: string
    name?: string
    title?: string
    screen?: { width: number; height: number }
  } | null
}

/** The pages: an ES-module page and script-tag pages, all sending to `host`. */
function pageHtml(workspace: Workspace, host: string, module: boolean, title: string): string {
  const options = JSON.stringify({ key: workspace.publicKey, host, flushIntervalMs: 100 })
  const script = module
    ? `<script type="module">import * as Custodian from '/custodian.mjs'; window.Custodian = Custodian; Custodian.init(${options})</script>`
    : `<script src="/custodian.min.js"></script><script>Custodian.init(${options})</script>`
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${script}</body></html>`
}

function startStaticServer(routes: Map<string, { type: string; body: string | Buffer }>) {
  const server = createServer((request, response) => {
    const found = routes.get((request.url ?? '/').split('?')[0] ?? '/')
    if (found === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': found.type }).end(found.body)
  })
  return new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

describe('browser SDK in Chromium', { skip: browserSkip() }, () => {
  let dataDir: string
  let serve: ServeProcess
  let site: Server
  let siteUrl: string
  let workspace: Workspace
  const profiles: string[] = []

  before(async () => {
    assert.ok(existsSync(join(dist, 'custodian.min.js')), 'run npm run build first (sdk/dist)')
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-sdk-'))
    const created = runCli(['workspace', 'create', '--name', 'Shop', '--data', dataDir, '--json'])
    assert.equal(created.status, 0, created.stderr)
    workspace = JSON.parse(created.stdout) as Workspace
    serve = await startServeProcess(['--data', dataDir])
    const routes = new Map<string, { type: string; body: string | Buffer }>([
      [
        '/custodian.min.js',
        { type: 'text/javascript', body: readFileSync(join(dist, 'custodian.min.js')) },
      ],
      [
        '/custodian.mjs',
        { type: 'text/javascript', body: readFileSync(join(dist, 'custodian.mjs')) },
      ],
    ])
    site = await startStaticServer(routes)
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    routes.set('/shop', { type: 'text/html', body: pageHtml(workspace, serve.url, true, 'Shop') })
    routes.set('/cart', { type: 'text/html', body: pageHtml(workspace, serve.url, false, 'Cart') })
    routes.set('/private', {
      type: 'text/html',
      body: pageHtml(workspace, serve.url, false, 'GPC'),
    })
    routes.set('/refuse', { type: 'text/html', body: pageHtml(workspace, serve.url, false, 'No') })
  })

  after(async () => {
    site.close()
    serve.child.kill('SIGTERM')
    await serve.exited
    for (const dir of [dataDir, ...profiles]) rmSync(dir, { recursive: true, force: true })
  })

  /** A browser with a fresh profile; GPC on when asked. Every request to the API is logged. */
  async function openBrowser(options: { gpc?: boolean } = {}) {
    const profile = mkdtempSync(join(tmpdir(), 'custodian-chromium-'))
    profiles.push(profile)
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', ...chromiumArgs],
      viewport: { width: 1200, height: 700 },
      screen: screenSize,
    })
    if (options.gpc) {
      await context.addInitScript(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })",
      )
    }
    const apiRequests: { method: string; url: string; body: string | null }[] = []
    context.on('request', (request) => {
      if (request.url().startsWith(serve.url)) {
        apiRequests.push({ method: request.method(), url: request.url(), body: request.postData() })
      }
    })
    const page = await context.newPage()
    return { context, page, apiRequests }
  }

  const ready = (page: Page) => page.waitForFunction('window.Custodian !== undefined')
  const anonymousIdOf = (page: Page) =>
    page.evaluate<string>(
      "JSON.parse(localStorage.getItem('custodian') ?? 'null')?.anonymousId ?? null",
    )
  const storedOf = (page: Page) =>
    page.evaluate<unknown>("JSON.parse(localStorage.getItem('custodian') ?? 'null')")

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${serve.url}${path}`, {
      headers: { authorization: `Bearer ${workspace.secretKey}` },
    })
    assert.equal(response.status, 200, await response.clone().text())
    return (await response.json()) as T
  }

  /** Polls until the server holds `count` events for the visitor (bounded, not timed). */
  async function eventsOf(anonymousId: string, count: number, by = 'anonymousId') {
    const url = `/v1/events?${by}=${encodeURIComponent(anonymousId)}`
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const page = await api<{ data: StoredEvent[] }>(url)
      if (page.data.length >= count) return page.data
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return (await api<{ data: StoredEvent[] }>(url)).data
  }

  async function identityToken(externalId: string): Promise<string> {
    const response = await fetch(`${serve.url}/v1/identity-tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${workspace.secretKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ externalId }),
    })
    assert.equal(response.status, 201)
    return ((await response.json()) as { token: string }).token
  }

  test('after analytics is granted, page views, history navigation and tracks arrive with screen, browser and OS', async () => {
    const { context, page, apiRequests } = await openBrowser()
    try {
      await page.goto(`${siteUrl}/shop`)
      await ready(page)
      // Before any choice: nothing stored in the browser, nothing sent.
      assert.equal(await page.evaluate('localStorage.length'), 0)
      assert.equal(await page.evaluate('document.cookie'), '')
      assert.equal(apiRequests.filter((r) => r.url.endsWith('/v1/events')).length, 0)
      assert.equal(await page.evaluate("Custodian.consent.set('analytics', true)"), true)
      assert.equal(await page.evaluate("Custodian.consent.get('analytics')"), true)
      const anonymousId = await anonymousIdOf(page)
      assert.ok(anonymousId, 'the id is kept once analytics is granted')
      await page.evaluate("history.pushState({}, '', '/shop/shoes?colour=red')")
      await page.evaluate("Custodian.track('Added to cart', { sku: 'SHOE-1' })")
      // A full navigation: the page hides (sendBeacon), the next one keeps the visitor.
      await page.goto(`${siteUrl}/cart`)
      await ready(page)
      assert.equal(await anonymousIdOf(page), anonymousId)
      const events = await eventsOf(anonymousId, 4)
      const pages = events.filter((event) => event.type === 'page')
      assert.deepEqual(pages.map((event) => new URL(event.payload?.url ?? '').pathname).sort(), [
        '/cart',
        '/shop',
        '/shop/shoes',
      ])
      const track = events.find((event) => event.type === 'track')
      assert.equal(track?.payload?.name, 'Added to cart')
      for (const event of events) {
        assert.deepEqual(event.payload?.screen, screenSize)
        assert.equal(event.browser, 'Chrome')
        assert.equal(event.os, 'Linux')
        assert.equal(event.device, 'desktop')
      }
      // Signing in: the page identifies the user with the token its server got.
      const token = JSON.stringify(await identityToken('user-browser'))
      await page.evaluate(
        `Custodian.identify('user-browser', { email: 'browser@example.com' }, { token: ${token} }); Custodian.track('Checked out')`,
      )
      // The visitor's history follows them: their page views show under the user too.
      const known = await eventsOf('user-browser', 6, 'externalId')
      assert.deepEqual(known.map((event) => event.type).sort(), [
        'identify',
        'page',
        'page',
        'page',
        'track',
        'track',
      ])
      const contacts = await api<{ data: { email: string | null }[] }>(
        '/v1/contacts?externalId=user-browser',
      )
      assert.equal(contacts.data[0]?.email, 'browser@example.com')
    } finally {
      await context.close()
    }
  })

  test('with Global Privacy Control on, no marketing or profiling consent is sent', async () => {
    const { context, page, apiRequests } = await openBrowser({ gpc: true })
    try {
      await page.goto(`${siteUrl}/private`)
      await ready(page)
      const answers = await page.evaluate(
        "Promise.all(['analytics', 'marketing', 'profiling'].map((p) => Custodian.consent.set(p, true)))",
      )
      assert.deepEqual(answers, [true, false, false])
      const anonymousId = await anonymousIdOf(page)
      assert.ok(anonymousId)
      const grants = apiRequests
        .filter((request) => request.url.endsWith('/v1/consents') && request.method === 'POST')
        .map(
          (request) =>
            JSON.parse(request.body ?? '{}') as {
              purpose: string
              granted: boolean
              globalPrivacyControl?: boolean
            },
        )
      assert.deepEqual(
        grants.map((grant) => [grant.purpose, grant.granted, grant.globalPrivacyControl]),
        [['analytics', true, true]],
      )
      const view = await api<{
        flags: { globalPrivacyControl: boolean }
        purposes: { purpose: string; granted: boolean | null; decision: { allowed: boolean } }[]
      }>(`/v1/consents?anonymousId=${anonymousId}`)
      assert.equal(view.flags.globalPrivacyControl, true)
      for (const name of ['marketing', 'profiling']) {
        const purpose = view.purposes.find((item) => item.purpose === name)
        assert.notEqual(purpose?.granted, true, `${name} was granted`)
        assert.equal(purpose?.decision.allowed, false)
      }
      // Analytics is not direct marketing: its events still arrive.
      assert.ok((await eventsOf(anonymousId, 1)).length >= 1)
      // A refusal agrees with the signal: it is sent, and remembered on the next page.
      assert.equal(await page.evaluate("Custodian.consent.set('marketing', false)"), true)
      await page.goto(`${siteUrl}/private`)
      await ready(page)
      assert.deepEqual(
        await page.evaluate("['analytics', 'marketing'].map((p) => Custodian.consent.get(p))"),
        [true, false],
      )
    } finally {
      await context.close()
    }
  })

  test('when analytics is refused, no event is sent or stored; only the choice is kept', async () => {
    const { context, page, apiRequests } = await openBrowser()
    try {
      await page.goto(`${siteUrl}/refuse`)
      await ready(page)
      assert.equal(await page.evaluate("Custodian.consent.set('analytics', false)"), true)
      await page.evaluate("Custodian.track('Clicked'); history.pushState({}, '', '/refuse/2')")
      const token = JSON.stringify(await identityToken('user-refuses'))
      await page.evaluate(`Custodian.identify('user-refuses', {}, { token: ${token} })`)
      await page.evaluate('Custodian.flush()')
      const consentBody = apiRequests.find((r) => r.url.endsWith('/v1/consents'))?.body ?? '{}'
      const { anonymousId } = JSON.parse(consentBody) as { anonymousId: string }
      // Leaving the page is when a pending batch would go out by beacon.
      await page.goto('about:blank')
      assert.equal(apiRequests.filter((r) => r.url.includes('/v1/events')).length, 0)
      assert.deepEqual(await context.cookies(), [])
      await page.goto(`${siteUrl}/refuse`)
      await ready(page)
      // The record of the choice, and nothing that names or follows the visitor further.
      assert.equal(await page.evaluate('localStorage.length'), 1)
      assert.deepEqual(await storedOf(page), { anonymousId, choices: { analytics: false } })
      const stored = await api<{ data: unknown[] }>(`/v1/events?anonymousId=${anonymousId}`)
      assert.deepEqual(stored.data, [])
    } finally {
      await context.close()
    }
  })

  test('a refusal is remembered across page loads on one ledger subject, and a later grant starts tracking', async () => {
    const { context, page, apiRequests } = await openBrowser()
    const reload = async () => {
      await page.goto(`${siteUrl}/refuse`)
      await ready(page)
    }
    try {
      await reload()
      assert.equal(await page.evaluate("Custodian.consent.get('analytics')"), undefined)
      assert.equal(await page.evaluate("Custodian.consent.set('analytics', false)"), true)
      await reload()
      // The banner has its answer: nothing to ask again.
      assert.equal(await page.evaluate("Custodian.consent.get('analytics')"), false)
      assert.equal(await page.evaluate("Custodian.consent.set('marketing', false)"), true)
      await reload()
      assert.deepEqual(
        await page.evaluate("['analytics', 'marketing'].map((p) => Custodian.consent.get(p))"),
        [false, false],
      )
      assert.equal(await page.evaluate("Custodian.consent.set('analytics', false)"), true)
      await reload()
      assert.equal(apiRequests.filter((r) => r.url.includes('/v1/events')).length, 0)
      const choices = apiRequests.filter((r) => r.url.endsWith('/v1/consents'))
      const anonymousIds = new Set(
        choices.map((r) => (JSON.parse(r.body ?? '{}') as { anonymousId: string }).anonymousId),
      )
      assert.equal(anonymousIds.size, 1, 'every choice names the same visitor')
      const [anonymousId] = [...anonymousIds]
      assert.ok(anonymousId)
      // One subject in the ledger holds all three choices.
      const ledgerOf = () =>
        api<{ subjectId: string | null; historyTotal: number; history: { action: string }[] }>(
          `/v1/consents?anonymousId=${anonymousId}`,
        )
      const refused = await ledgerOf()
      assert.ok(refused.subjectId)
      assert.equal(refused.historyTotal, 3)
      // Changing their mind later: the grant goes to the same subject and tracking starts.
      assert.equal(await page.evaluate("Custodian.consent.set('analytics', true)"), true)
      await page.evaluate("Custodian.track('Came back')")
      await reload()
      assert.equal(await page.evaluate("Custodian.consent.get('analytics')"), true)
      assert.equal(await anonymousIdOf(page), anonymousId)
      const events = await eventsOf(anonymousId, 2)
      assert.ok(events.some((event) => event.payload?.name === 'Came back'))
      assert.ok(events.some((event) => event.type === 'page'))
      const granted = await ledgerOf()
      assert.deepEqual([granted.subjectId, granted.historyTotal], [refused.subjectId, 4])
    } finally {
      await context.close()
    }
  })
})
