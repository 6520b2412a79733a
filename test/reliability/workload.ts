/**
 * A seeded mix of the writes Custodian acknowledges (contacts and their updates, consents,
 * event batches, rights requests), sent over HTTP by a few concurrent writers, and a
 * ledger of what each write was and whether it was acknowledged. `verifyLedger` then
 * reads everything back through the API and lists every acknowledged write that is
 * missing or changed, and every unacknowledged write that is visible only in part.
 *
 * Principle 7 of the design: "a write that was acknowledged survives a crash". A write
 * whose answer never came (the process died, the proxy lost it) may be there or not,
 * but never half there: a contact with its email but not its name, a batch with some of
 * its events.
 */

export interface ContactWrite {
  externalId: string
  email: string
  name: string
  attributes: Record<string, string | number>
  acked: boolean
  id?: string
  /** Names sent by later PATCHes: the acknowledged last, then any unanswered after it. */
  lastAckedName?: string
  unansweredNames: string[]
}

export interface VisitWrite {
  anonymousId: string
  consentAcked: boolean
  receiptId?: string
  eventIds: string[]
  /** undefined: never sent (the consent was not acknowledged first). */
  eventsAcked?: boolean
}

export interface RightsWrite {
  email: string
  acked: boolean
  id?: string
  dueAt?: string
  receivedAt?: string
}

export interface Ledger {
  contacts: ContactWrite[]
  visits: VisitWrite[]
  rights: RightsWrite[]
  /** Answers of 500 or above from the server itself (a proxy's own 502 is not one). */
  serverErrors: string[]
  /** Requests whose answer never came or was the proxy's: their outcome is unknown. */
  unanswered: number
  acknowledged: number
}

export function emptyLedger(): Ledger {
  return { contacts: [], visits: [], rights: [], serverErrors: [], unanswered: 0, acknowledged: 0 }
}

/** mulberry32: small, seeded, good enough to choose operations and delays reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface Answer {
  status: number
  body: unknown
  /** Set when the answer came from the test's proxy, not from a Custodian process. */
  fromProxy: boolean
}

export interface Client {
  baseUrl: () => string
  secretKey: string
}

const requestTimeoutMs = 15_000

/** One request; undefined when no answer came (connection refused, reset, timed out). */
export async function call(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer | undefined> {
  try {
    const response = await fetch(`${client.baseUrl()}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${client.secretKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // Not JSON: kept as text for the failure message.
    }
    return {
      status: response.status,
      body: parsed,
      fromProxy: response.headers.get('x-test-proxy') !== null,
    }
  } catch {
    return undefined
  }
}

type Operation = 'contact' | 'rename' | 'visit' | 'rights'
const operations: Operation[] = ['contact', 'contact', 'rename', 'visit', 'visit', 'rights']

export interface WriterOptions {
  client: Client
  ledger: Ledger
  random: () => number
  /** Unique per run, so names never repeat across restarts. */
  tag: string
  writers: number
  /** Checked before each request; the writers end when it answers true. */
  stop: () => boolean
  /** Wait after an unanswered request (the server is gone or restarting). */
  pauseAfterLossMs?: number
}

/** Runs `writers` concurrent loops of seeded writes until `stop()`; resolves when all end. */
export async function runWriters(options: WriterOptions): Promise<void> {
  let counter = 0
  const next = () => (counter += 1)
  await Promise.all(
    Array.from({ length: options.writers }, async (_, writer) => {
      const own: ContactWrite[] = []
      while (!options.stop()) {
        const operation = operations[Math.floor(options.random() * operations.length)] ?? 'contact'
        const n = `${options.tag}-${writer}-${next()}`
        const answered = await perform(options, operation, n, own)
        if (!answered) await delay(options.pauseAfterLossMs ?? 20)
      }
    }),
  )
}

function record(ledger: Ledger, path: string, answer: Answer | undefined): boolean {
  if (answer === undefined || answer.fromProxy) {
    ledger.unanswered += 1
    return false
  }
  if (answer.status >= 500) {
    ledger.serverErrors.push(`${path} ${answer.status} ${JSON.stringify(answer.body)}`)
  }
  if (answer.status < 300) ledger.acknowledged += 1
  return true
}

async function perform(
  options: WriterOptions,
  operation: Operation,
  n: string,
  own: ContactWrite[],
): Promise<boolean> {
  const { client, ledger } = options
  switch (operation) {
    case 'contact': {
      const write: ContactWrite = {
        externalId: `x-${n}`,
        email: `c-${n}@example.com`,
        name: `Name ${n}`,
        attributes: { plan: `plan-${n}`, seats: Math.floor(options.random() * 1000) },
        acked: false,
        unansweredNames: [],
      }
      ledger.contacts.push(write)
      const answer = await call(client, 'POST', '/v1/contacts', {
        externalId: write.externalId,
        email: write.email,
        name: write.name,
        attributes: write.attributes,
      })
      if (answer?.status === 201) {
        write.acked = true
        write.id = (answer.body as { id: string }).id
        own.push(write)
      }
      return record(ledger, 'POST /v1/contacts', answer)
    }
    case 'rename': {
      const target = own[Math.floor(options.random() * own.length)]
      if (target?.id === undefined) return true
      const name = `Renamed ${n}`
      const answer = await call(client, 'PATCH', `/v1/contacts/${target.id}`, { name })
      if (answer?.status === 200) {
        target.lastAckedName = name
        target.unansweredNames = []
      } else if (answer === undefined || answer.fromProxy) {
        target.unansweredNames.push(name)
      }
      return record(ledger, 'PATCH /v1/contacts/{id}', answer)
    }
    case 'visit':
      return visit(options, n)
    case 'rights': {
      const write: RightsWrite = { email: `r-${n}@example.com`, acked: false }
      ledger.rights.push(write)
      const answer = await call(client, 'POST', '/v1/rights/requests', {
        type: 'access',
        subject: { email: write.email },
      })
      if (answer?.status === 201) {
        const created = answer.body as { id: string; dueAt: string; receivedAt: string }
        Object.assign(write, { acked: true, ...created })
      }
      return record(ledger, 'POST /v1/rights/requests', answer)
    }
  }
}

/** Consent for analytics first (Art. 6(1)(a)), then a batch of events for that visitor. */
async function visit(options: WriterOptions, n: string): Promise<boolean> {
  const { client, ledger } = options
  const write: VisitWrite = { anonymousId: `v-${n}`, consentAcked: false, eventIds: [] }
  ledger.visits.push(write)
  const consent = await call(client, 'POST', '/v1/consents', {
    anonymousId: write.anonymousId,
    purpose: 'analytics',
    granted: true,
  })
  if (consent?.status === 201 || consent?.status === 200) {
    write.consentAcked = true
    write.receiptId = (consent.body as { receiptId: string }).receiptId
  }
  if (!record(ledger, 'POST /v1/consents', consent) || !write.consentAcked) return true
  const count = 1 + Math.floor(options.random() * 5)
  write.eventIds = Array.from({ length: count }, (_, index) => `ev-${n}-${index}`)
  const events = await call(client, 'POST', '/v1/events', {
    batch: write.eventIds.map((id, index) => ({
      id,
      type: 'page',
      anonymousId: write.anonymousId,
      url: `https://shop.example/${n}/${index}`,
    })),
  })
  write.eventsAcked =
    events?.status === 202 && (events.body as { accepted: number }).accepted === count
  return record(ledger, 'POST /v1/events', events)
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

interface ContactView {
  id: string
  externalId: string | null
  email: string | null
  name: string | null
  attributes: Record<string, unknown>
}

/**
 * Reads every write back and lists what is wrong: an acknowledged write missing or
 * changed, a write visible only in part, a read that fails. Empty means durable.
 */
export async function verifyLedger(client: Client, ledger: Ledger): Promise<string[]> {
  const problems: string[] = []
  const read = async (path: string): Promise<unknown> => {
    const answer = await call(client, 'GET', path)
    if (answer === undefined || answer.status >= 500) {
      problems.push(`GET ${path} answered ${answer?.status ?? 'nothing'}`)
    }
    return answer?.status === 200 ? answer.body : undefined
  }
  await verifyContacts(ledger, read, problems)
  for (const visit of ledger.visits) await verifyVisit(visit, read, problems)
  await verifyRightsListing(ledger, read, problems)
  for (const write of ledger.rights.filter((item) => item.acked)) {
    const found = (await read(`/v1/rights/requests/${write.id}`)) as RightsWrite | undefined
    if (found?.dueAt !== write.dueAt || found?.receivedAt !== write.receivedAt) {
      problems.push(`acknowledged rights request ${write.id} is missing or changed`)
    }
  }
  return problems
}

async function verifyContacts(
  ledger: Ledger,
  read: (path: string) => Promise<unknown>,
  problems: string[],
): Promise<void> {
  // Every contact the workspace holds, page by page: each must be one whole write.
  const attempted = new Map(ledger.contacts.map((write) => [write.externalId, write]))
  const seen = new Set<string>()
  let cursor: string | null = null
  do {
    const page = (await read(
      `/v1/contacts?limit=200${cursor === null ? '' : `&cursor=${cursor}`}`,
    )) as { data: ContactView[]; nextCursor: string | null } | undefined
    if (page === undefined) return
    for (const contact of page.data) {
      const write = attempted.get(contact.externalId ?? '')
      if (write === undefined) {
        problems.push(
          `contact ${contact.id} matches no write that was sent: ${JSON.stringify(contact)}`,
        )
        continue
      }
      seen.add(write.externalId)
      if (write.acked && write.id !== contact.id) {
        problems.push(`contact ${write.externalId} has another id than acknowledged`)
      }
      if (
        contact.email !== write.email ||
        sortedJson(contact.attributes) !== sortedJson(write.attributes)
      ) {
        problems.push(`contact ${contact.id} is not the write that was sent (half-written?)`)
      }
      const names = [write.lastAckedName ?? write.name, ...write.unansweredNames]
      if (contact.name === null || !names.includes(contact.name)) {
        problems.push(`contact ${contact.id} lost its acknowledged name`)
      }
    }
    cursor = page.nextCursor
  } while (cursor !== null)
  for (const write of ledger.contacts.filter((item) => item.acked)) {
    if (!seen.has(write.externalId)) problems.push(`acknowledged contact ${write.id} is missing`)
  }
}

/** Every request the workspace lists opens, and the acknowledged ones are all listed. */
async function verifyRightsListing(
  ledger: Ledger,
  read: (path: string) => Promise<unknown>,
  problems: string[],
): Promise<void> {
  const listed = new Set<string>()
  let cursor: string | null = null
  do {
    const page = (await read(
      `/v1/rights/requests?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    )) as { data: { id: string; type: string }[]; nextCursor: string | null } | undefined
    if (page === undefined) return
    for (const request of page.data) listed.add(request.id)
    cursor = page.nextCursor
  } while (cursor !== null)
  for (const write of ledger.rights.filter((item) => item.acked)) {
    if (write.id !== undefined && !listed.has(write.id)) {
      problems.push(`acknowledged rights request ${write.id} is not listed`)
    }
  }
}

async function verifyVisit(
  visit: VisitWrite,
  read: (path: string) => Promise<unknown>,
  problems: string[],
): Promise<void> {
  if (visit.consentAcked) {
    const consents = (await read(
      `/v1/consents?anonymousId=${encodeURIComponent(visit.anonymousId)}`,
    )) as
      | { purposes: { purpose: string; granted: boolean | null }[]; history: { id: string }[] }
      | undefined
    const analytics = consents?.purposes.find((item) => item.purpose === 'analytics')
    if (analytics?.granted !== true) {
      problems.push(`acknowledged consent of ${visit.anonymousId} is missing`)
    }
    // The ledger entry behind the receipt (Art. 7(1): the controller can show consent).
    if (!consents?.history.some((entry) => entry.id === visit.receiptId)) {
      problems.push(`acknowledged consent entry ${visit.receiptId} is missing`)
    }
  }
  if (visit.eventsAcked === undefined) return
  const page = (await read(
    `/v1/events?anonymousId=${encodeURIComponent(visit.anonymousId)}&limit=500`,
  )) as { data: { id: string; payload: { url?: string } | null }[] } | undefined
  const stored = new Map((page?.data ?? []).map((event) => [event.id, event]))
  const present = visit.eventIds.filter((id) => stored.has(id))
  if (visit.eventsAcked && present.length !== visit.eventIds.length) {
    problems.push(
      `acknowledged events of ${visit.anonymousId}: ${present.length} of ${visit.eventIds.length}`,
    )
  } else if (present.length !== 0 && present.length !== visit.eventIds.length) {
    problems.push(`half a batch of ${visit.anonymousId} is visible`)
  }
  for (const id of present) {
    const index = id.slice(id.lastIndexOf('-') + 1)
    if (!stored.get(id)?.payload?.url?.endsWith(`/${index}`)) {
      problems.push(`event ${id} does not open to what was sent`)
    }
  }
}

function sortedJson(value: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
}

/** Totals for reports: how many writes were acknowledged, by kind. */
export function acknowledgedCounts(ledger: Ledger): {
  contacts: number
  consents: number
  eventBatches: number
  rightsRequests: number
} {
  return {
    contacts: ledger.contacts.filter((item) => item.acked).length,
    consents: ledger.visits.filter((item) => item.consentAcked).length,
    eventBatches: ledger.visits.filter((item) => item.eventsAcked === true).length,
    rightsRequests: ledger.rights.filter((item) => item.acked).length,
  }
}
