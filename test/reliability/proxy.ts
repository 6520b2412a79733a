import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A round-robin HTTP proxy for tests, as a load balancer without health checks: each
 * request goes to the next backend in turn. When a backend cannot be reached or dies
 * mid-answer, the proxy answers 502 itself and marks it `x-test-proxy: 1`, so a client
 * can tell the proxy's failure (outcome unknown) from a server's answer.
 */
export interface RoundRobinProxy {
  url: string
  /** Requests sent to each backend, by index. */
  counts: number[]
  close(): Promise<void>
}

export async function startRoundRobinProxy(backends: () => string[]): Promise<RoundRobinProxy> {
  let next = 0
  const counts: number[] = []
  const server: Server = createServer((incoming, outgoing) => {
    const targets = backends()
    const index = next % targets.length
    next += 1
    counts[index] = (counts[index] ?? 0) + 1
    const target = new URL(targets[index] ?? '')
    const fail = () => {
      if (!outgoing.headersSent) {
        outgoing.writeHead(502, { 'content-type': 'text/plain', 'x-test-proxy': '1' })
        outgoing.end('backend unreachable')
      } else {
        outgoing.destroy()
      }
    }
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent: false,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
        answer.on('error', fail)
        answer.on('aborted', fail)
      },
    )
    forwarded.on('error', fail)
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
