import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffMs, createTransport, isRetryable, type WireEvent } from './transport.js'

const event: WireEvent = {
  id: 'e1',
  type: 'track',
  anonymousId: 'a1',
  name: 'Clicked',
  timestamp: '2026-01-01T00:00:00.000Z',
}

/** A fetch that answers from a script of statuses (undefined: the network fails). */
function scriptedFetch(statuses: (number | undefined)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = []
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: input instanceof Request ? input.url : input.toString(), init })
    const status = statuses[calls.length - 1]
    if (status === undefined) throw new TypeError('network down')
    return new Response(null, { status })
  }
  return { fake, calls }
}

test('backoff doubles from one second, is capped at 30 s and jittered by up to half', () => {
  assert.deepEqual(
    [0, 1, 2, 5, 10].map((attempt) => backoffMs(attempt, () => 1)),
    [1000, 2000, 4000, 30_000, 30_000],
  )
  assert.equal(
    backoffMs(3, () => 0),
    4000,
  )
})

test('network failures, 429 and 5xx are retried; other answers are final', () => {
  assert.deepEqual([undefined, 429, 500, 503, 202, 400, 401, 413].map(isRetryable), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ])
})

test('a batch is retried with backoff until the server takes it, with the same event ids', async () => {
  const { fake, calls } = scriptedFetch([undefined, 503, 202])
  const delays: number[] = []
  const transport = createTransport({
    host: 'https://c.test/',
    key: 'cus_pk_x',
    fetch: fake,
    schedule: (run, delay) => {
      delays.push(delay)
      run()
    },
    random: () => 1,
  })
  assert.equal(await transport.send([event]), true)
  assert.equal(calls.length, 3)
  assert.deepEqual(delays, [1000, 2000])
  const [first] = calls
  assert.ok(first?.init)
  assert.equal(first.url, 'https://c.test/v1/events')
  const bodies = calls.map(
    (call) => JSON.parse(call.init?.body as string) as { batch: WireEvent[] },
  )
  assert.deepEqual(new Set(bodies.map((body) => body.batch[0]?.id)), new Set(['e1']))
  const headers = first.init.headers as Record<string, string>
  assert.equal(headers.authorization, 'Bearer cus_pk_x')
  assert.equal(first.init.credentials, 'omit')
})

test('a batch is given up after the retries, or at once on a client error', async () => {
  const failing = scriptedFetch([500, 500, 500])
  const immediate = (run: () => void) => run()
  const limited = createTransport({
    host: 'https://c.test',
    key: 'k',
    retries: 2,
    fetch: failing.fake,
    schedule: immediate,
  })
  assert.equal(await limited.send([event]), false)
  assert.equal(failing.calls.length, 3)
  const refused = scriptedFetch([400])
  const once = createTransport({
    host: 'https://c.test',
    key: 'k',
    fetch: refused.fake,
    schedule: immediate,
  })
  assert.equal(await once.send([event]), false)
  assert.equal(refused.calls.length, 1)
})
