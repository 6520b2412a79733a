import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createDirectoryProvider } from './directory-provider.js'
import { createHttpProvider, refuseEveryTransfer } from './http-provider.js'

const folder = mkdtempSync(join(tmpdir(), 'custodian-enrichment-'))
after(() => rmSync(folder, { recursive: true, force: true }))

const hrefOf = (url: string | URL | Request): string =>
  typeof url === 'string' ? url : url instanceof URL ? url.href : url.url

function directoryOf(lines: string[]): string {
  const file = join(folder, `${lines.length}-${Math.random().toString(36).slice(2)}.jsonl`)
  writeFileSync(file, lines.join('\n'))
  return file
}

test('the directory provider finds a person by their email, however it is cased, and nobody else', async () => {
  const provider = createDirectoryProvider(
    directoryOf([
      JSON.stringify({ email: 'Ada@Example.com', name: 'Ada Walker', company: 'Example' }),
      '',
      JSON.stringify({ email: 'bob@example.com', avatarUrl: 'https://example.com/bob.png' }),
    ]),
  )
  assert.equal(provider.recipient, null, 'nothing leaves the machine')
  assert.deepEqual(await provider.resolve({ workspaceId: 'w', email: 'ada@example.COM' }), {
    name: 'Ada Walker',
    company: 'Example',
  })
  assert.equal(await provider.resolve({ workspaceId: 'w', email: 'eve@example.com' }), undefined)
})

test('a directory line that is not a person stops the provider with its line number', () => {
  assert.throws(
    () =>
      createDirectoryProvider(
        directoryOf([JSON.stringify({ email: 'a@example.com' }), '{"name": 3}']),
      ),
    /line 2/,
  )
})

test('the HTTP provider asks the transfer guard first; the seam refuses every recipient and nothing is sent', async () => {
  const sent: string[] = []
  const provider = createHttpProvider({
    url: 'https://enrich.example/v1/people',
    guard: refuseEveryTransfer,
    fetch: async (url) => {
      sent.push(hrefOf(url))
      return new Response('{}')
    },
  })
  assert.equal(provider.recipient, 'enrich.example')
  await assert.rejects(provider.resolve({ workspaceId: 'w', email: 'ada@example.com' }), {
    code: 'transfer_refused',
  })
  assert.deepEqual(sent, [])
})

test('an allowed transfer sends the email alone and keeps only the known fields', async () => {
  const asked: { recipient: string; purpose: string }[] = []
  const provider = createHttpProvider({
    url: 'https://enrich.example/v1/people',
    guard: async (transfer) => {
      asked.push({ recipient: transfer.recipient, purpose: transfer.purpose })
    },
    fetch: async (url) => {
      assert.equal(new URL(hrefOf(url)).searchParams.get('email'), 'ada@example.com')
      return Response.json({ name: 'Ada', company: 'Example', salary: 1, avatarUrl: 7 })
    },
  })
  assert.deepEqual(await provider.resolve({ workspaceId: 'w', email: 'ada@example.com' }), {
    name: 'Ada',
    company: 'Example',
  })
  assert.deepEqual(asked, [{ recipient: 'enrich.example', purpose: 'enrichment' }])
  assert.throws(() =>
    createHttpProvider({ url: 'http://plain.example', guard: refuseEveryTransfer }),
  )
})
