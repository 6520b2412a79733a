import { createServer } from 'node:http'

/** A local receiver for alert webhooks: what it was sent, and whether it answers. */
export interface TestWebhook {
  readonly url: string
  /** The JSON bodies it accepted, in order. */
  readonly received: unknown[]
  /** While true it answers 503 and keeps nothing, as a channel that is down. */
  failing: boolean
  close(): Promise<void>
}

export async function startTestWebhook(): Promise<TestWebhook> {
  const received: unknown[] = []
  const state = { failing: false }
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      if (state.failing) {
        response.statusCode = 503
        response.end('down')
        return
      }
      received.push(JSON.parse(body))
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${String(port)}/alerts`,
    received,
    get failing() {
      return state.failing
    },
    set failing(value: boolean) {
      state.failing = value
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
