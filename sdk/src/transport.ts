/**
 * Sending batches to `POST /v1/events`: with fetch while the page lives, retried with
 * exponential backoff; with `navigator.sendBeacon` when the page is hidden (the only
 * request a closing page is sure to get out). Every event carries its own id, so a
 * retry the server already stored is not stored twice.
 */

export interface WireEvent {
  id: string
  type: 'page' | 'track' | 'identify'
  anonymousId: string
  externalId?: string
  identityToken?: string | undefined
  url?: string
  referrer?: string
  title?: string
  name?: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
  timestamp: string
  screen?: { width: number; height: number }
}

export interface TransportOptions {
  host: string
  key: string
  /** Attempts after the first (default 5). */
  retries?: number
  fetch?: typeof fetch
  /** Schedules a retry; tests pass their own to move time without sleeping. */
  schedule?: (run: () => void, delayMs: number) => void
  random?: () => number
}

/** 1 s, 2 s, 4 s … capped at 30 s, each with up to 50 % jitter so clients spread out. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** attempt)
  return Math.round(base * (0.5 + random() / 2))
}

/** Whether an answer means "try again later": the network failed, 429 or a 5xx. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500
}

export interface Transport {
  /** Resolves true when the server took the batch, false when it was given up. */
  send(batch: WireEvent[]): Promise<boolean>
  /** Hands the batch to the browser for delivery after the page is gone. */
  beacon(batch: WireEvent[]): boolean
}

export function createTransport(options: TransportOptions): Transport {
  const url = `${options.host.replace(/\/+$/, '')}/v1/events`
  const retries = options.retries ?? 5
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init))
  const schedule = options.schedule ?? ((run, delay) => void setTimeout(run, delay))
  const random = options.random ?? Math.random

  const attempt = async (batch: WireEvent[]): Promise<number | undefined> => {
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
        credentials: 'omit',
        keepalive: true,
      })
      return response.status
    } catch {
      return undefined
    }
  }

  return {
    async send(batch) {
      for (let tries = 0; ; tries += 1) {
        const status = await attempt(batch)
        if (!isRetryable(status)) return status !== undefined && status < 300
        if (tries >= retries) return false
        await new Promise<void>((resolve) => {
          schedule(resolve, backoffMs(tries, random))
        })
      }
    },
    beacon(batch) {
      const body = JSON.stringify({
        batch,
        sentAt: new Date().toISOString(),
        writeKey: options.key,
      })
      // text/plain needs no preflight, which a closing page would not wait for.
      return navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }))
    },
  }
}
