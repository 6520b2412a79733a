import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { serverTimeouts } from '../app.js'
import { buildTestApp, type TestApp } from '../testing/test-app.js'

/**
 * What the framework and Node answer before any route runs, over a real socket (an
 * in-process inject never reaches Node's HTTP parser): each must be an RFC 9457
 * problem with the security headers and a request id, quoting nothing it was sent.
 */
interface RawAnswer {
  status: number
  headers: Map<string, string>
  body: string
}

function sendRaw(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head = '', ...rest] = text.split('\r\n\r\n')
      const [statusLine = '', ...headerLines] = head.split('\r\n')
      const headers = new Map(
        headerLines.map((line) => {
          const colon = line.indexOf(':')
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const
        }),
      )
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
  })
}

const marker = 'zq7marker'

describe('answers before any route runs', () => {
  let harness: TestApp
  let port = 0

  before(async () => {
    harness = await buildTestApp()
    await harness.app.listen({ port: 0, host: '127.0.0.1' })
    const address = harness.app.server.address()
    port = typeof address === 'object' && address !== null ? address.port : 0
  })
  after(async () => harness.close())

  test('the server bounds slow requests and idle connections', () => {
    const server = harness.app.server
    assert.equal(server.requestTimeout, serverTimeouts.requestMs)
    assert.equal(server.keepAliveTimeout, serverTimeouts.keepAliveMs)
    assert.equal(server.timeout, serverTimeouts.socketIdleMs)
  })

  const cases: [string, string, number][] = [
    [
      'bad percent-encoding in the path',
      `GET /v1/contacts/%C0%AE%C0%AE%2F${marker} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      400,
    ],
    [
      'a path parameter over 100 characters',
      `GET /v1/contacts/${marker}${'a'.repeat(120)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      414,
    ],
    [
      'headers over 16 kB',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${marker}${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      431,
    ],
    [
      'a URL over 16 kB',
      `GET /${marker}${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      431,
    ],
    ['malformed HTTP', `${marker} NONSENSE\r\n\r\n`, 400],
    [
      'a Content-Length that is not a number',
      `POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: ${marker}\r\n\r\n`,
      400,
    ],
  ]

  for (const [name, request, status] of cases) {
    test(`${name} gets a ${status} problem with the security headers`, async () => {
      const answer = await sendRaw(port, request)
      assert.equal(answer.status, status)
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/)
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff')
      assert.match(answer.headers.get('content-security-policy') ?? '', /default-src 'none'/)
      assert.equal(answer.headers.get('cache-control'), 'no-store')
      const requestId = answer.headers.get('x-request-id') ?? ''
      assert.match(requestId, /^[0-9a-f-]{36}$/)
      const problem = JSON.parse(answer.body) as Record<string, unknown>
      assert.equal(problem.status, status)
      assert.equal(problem.requestId, requestId)
      for (const member of ['type', 'title', 'detail', 'code']) {
        assert.equal(typeof problem[member], 'string')
      }
      assert.ok(!answer.body.includes(marker), 'the answer quotes the request')
    })
  }
})
