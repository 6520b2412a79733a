import {
  createTransport,
  type Transport,
  type TransportOptions,
  type WireEvent,
} from './transport.js'

export interface InitOptions {
  /** The workspace's public key (`cus_pk_…`). Never put a secret key in a page. */
  key: string
  /** Where Custodian answers, e.g. `https://custodian.example.com`. */
  host: string
  /** Send a page view on load and on every history navigation (default true). */
  autoPageViews?: boolean
  /** Send once this many events wait (default 20). */
  flushAt?: number
  /** …or this long after the first one waits (default 2000 ms). */
  flushIntervalMs?: number
  /** Purposes GPC objects to: grants to them are never sent (default marketing, profiling). */
  gpcPurposes?: string[]
  transport?: Partial<TransportOptions>
}

type Choices = Record<string, boolean>
interface Stored {
  anonymousId: string
  externalId?: string
  /** From your server (POST /v1/identity-tokens): proves the page may name externalId. */
  token?: string
  choices: Choices
}

const storageKey = 'custodian'
const maxWaiting = 100

/** The Global Privacy Control signal as the browser states it; undefined when unknown. */
function gpcSignal(): boolean | undefined {
  const value = (navigator as Navigator & { globalPrivacyControl?: unknown }).globalPrivacyControl
  return typeof value === 'boolean' ? value : undefined
}

function read(): Stored | undefined {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey) ?? 'null')
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'anonymousId' in parsed &&
      typeof parsed.anonymousId === 'string' &&
      'choices' in parsed &&
      typeof parsed.choices === 'object' &&
      parsed.choices !== null
    ) {
      return parsed as Stored
    }
  } catch {
    // Storage may be blocked or hold junk: start afresh, in memory.
  }
  return undefined
}

/**
 * The tracker. Nothing is written to the browser before the visitor's first choice,
 * and no event leaves it until they grant analytics: until then events wait in memory,
 * and a refusal drops them. A choice, a refusal included, is remembered (see `#save`).
 * Honours `navigator.globalPrivacyControl`.
 */
export class Tracker {
  readonly #options: Required<Omit<InitOptions, 'transport'>>
  readonly #transport: Transport
  #state: Stored
  #queue: WireEvent[] = []
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastUrl = ''

  constructor(options: InitOptions) {
    this.#options = {
      autoPageViews: true,
      flushAt: 20,
      flushIntervalMs: 2000,
      gpcPurposes: ['marketing', 'profiling'],
      ...options,
    }
    this.#transport = createTransport({
      ...options.transport,
      host: options.host,
      key: options.key,
    })
    this.#state = read() ?? { anonymousId: crypto.randomUUID(), choices: {} }
    if (gpcSignal() === true) {
      // GPC objects to these purposes: a grant kept from before no longer stands, while
      // a refusal agrees with the signal and stays.
      const gpcPurposes = this.#options.gpcPurposes
      this.#state.choices = Object.fromEntries(
        Object.entries(this.#state.choices).filter(
          ([purpose, granted]) => !granted || !gpcPurposes.includes(purpose),
        ),
      )
    }
    addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.flush(true)
    })
    addEventListener('pagehide', () => this.flush(true))
    if (this.#options.autoPageViews) this.#watchHistory()
  }

  get anonymousId(): string {
    return this.#state.anonymousId
  }

  /** Records a page view: URL, referrer, title and screen size. */
  page(properties?: Record<string, unknown>): void {
    this.#lastUrl = location.href
    this.#enqueue({
      type: 'page',
      url: location.href,
      referrer: document.referrer,
      title: document.title,
      ...(properties ? { properties } : {}),
    })
  }

  /** Records a named action, e.g. `track('Signed up', { plan: 'pro' })`. */
  track(name: string, properties?: Record<string, unknown>): void {
    this.#enqueue({
      type: 'track',
      name,
      url: location.href,
      ...(properties ? { properties } : {}),
    })
  }

  /**
   * The visitor is this user of yours from now on; their history and consents follow.
   * `token` is what your server got from `POST /v1/identity-tokens` for this user.
   */
  identify(externalId: string, traits?: Record<string, unknown>, token?: string): void {
    // Without its token the server refuses any event naming the user: the identify is
    // sent (its refusal shows what is missing) but later events stay anonymous.
    const { anonymousId, choices } = this.#state
    this.#state =
      token === undefined ? { anonymousId, choices } : { anonymousId, choices, externalId, token }
    this.#save()
    this.#enqueue({
      type: 'identify',
      externalId,
      ...(token === undefined ? {} : { identityToken: token }),
      ...(traits ? { traits } : {}),
    })
  }

  /** The visitor's choice for a purpose, as known here; undefined before they chose. */
  getConsent(purpose: string): boolean | undefined {
    return this.#state.choices[purpose]
  }

  /**
   * Records the visitor's choice with the server (the ledger keeps the proof). Under
   * Global Privacy Control a grant to a GPC purpose is not sent and resolves false.
   */
  async setConsent(purpose: string, granted: boolean): Promise<boolean> {
    const gpc = gpcSignal()
    if (granted && gpc === true && this.#options.gpcPurposes.includes(purpose)) return false
    const response = await fetch(`${this.#options.host.replace(/\/+$/, '')}/v1/consents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#options.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        anonymousId: this.#state.anonymousId,
        purpose,
        granted,
        ...(gpc === undefined ? {} : { globalPrivacyControl: gpc }),
      }),
      credentials: 'omit',
    })
    if (!response.ok) return false
    this.#state.choices[purpose] = granted
    this.#save()
    if (purpose === 'analytics') {
      if (granted) this.flush()
      else this.#queue = []
    }
    return true
  }

  /** Sends what waits now; `beacon` hands it to the browser as the page goes away. */
  flush(beacon = false): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#state.choices.analytics !== true || this.#queue.length === 0) return
    const batch = this.#queue
    this.#queue = []
    if (!beacon || !this.#transport.beacon(batch)) void this.#transport.send(batch)
  }

  #enqueue(event: Omit<WireEvent, 'id' | 'anonymousId' | 'timestamp'>): void {
    if (this.#state.choices.analytics === false) return
    const { externalId, token } = this.#state
    this.#queue.push({
      id: crypto.randomUUID(),
      anonymousId: this.#state.anonymousId,
      ...(externalId === undefined ? {} : { externalId, identityToken: token }),
      ...event,
      timestamp: new Date().toISOString(),
      screen: { width: screen.width, height: screen.height },
    })
    // Before a choice only the latest events wait, so memory stays bounded.
    if (this.#queue.length > maxWaiting) this.#queue.shift()
    if (this.#queue.length >= this.#options.flushAt) this.flush()
    else this.#timer ??= setTimeout(() => this.flush(), this.#options.flushIntervalMs)
  }

  /**
   * Remembers the visitor's choices once they made one. Keeping a refusal is strictly
   * necessary to honour the choice the visitor asked the site to respect, which the
   * ePrivacy Directive's Art. 5(3) exempts from consent: without it the banner asks
   * again on every page. Until analytics is granted only the choices and the anonymous
   * id are kept. The id leaves the browser only with a choice the visitor makes, never
   * with an event, and ties that choice to the same ledger subject, so one history
   * proves what they decided (GDPR Art. 7(1)) instead of a new subject per refusal.
   * The external id and its token wait for a grant.
   */
  #save(): void {
    const { anonymousId, choices } = this.#state
    try {
      if (choices.analytics === true) {
        localStorage.setItem(storageKey, JSON.stringify(this.#state))
      } else if (Object.keys(choices).length > 0) {
        localStorage.setItem(storageKey, JSON.stringify({ anonymousId, choices }))
      } else localStorage.removeItem(storageKey)
    } catch {
      // Storage blocked: the ids and choices live for this page only.
    }
  }

  #watchHistory(): void {
    const changed = () => {
      if (location.href !== this.#lastUrl) this.page()
    }
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method].bind(history)
      history[method] = (...args: Parameters<History['pushState']>) => {
        original(...args)
        changed()
      }
    }
    addEventListener('popstate', changed)
    this.page()
  }
}
