import type { FixtureFacts, ReadAuth, RecordedRead } from './fixture-file.js'
import type { ReleaseApi } from './release-client.js'

/**
 * The reads whose answers the fixture keeps: everything the world holds, asked for by
 * every identifier it is known by, through the REST API. The release answers them when
 * the fixture is made; the upgraded code must answer the same (upgrade.test.ts).
 */
export function readsOf(facts: FixtureFacts): { url: string; auth: ReadAuth }[] {
  const reads: { url: string; auth: ReadAuth }[] = [
    { url: '/v1/workspace', auth: 'secret' },
    { url: '/v1/me', auth: 'owner-session' },
    { url: '/v1/operators', auth: 'owner-session' },
    { url: '/v1/purposes', auth: 'secret' },
    { url: '/v1/policies', auth: 'secret' },
    { url: '/v1/contacts?limit=50', auth: 'secret' },
  ]
  for (const contact of facts.contacts) {
    reads.push({ url: `/v1/contacts/${contact.id}`, auth: 'secret' })
    if (contact.email !== undefined) {
      // As stored, and as another spelling of the same mailbox: one blind index.
      for (const email of new Set([contact.email, contact.email.toLowerCase()])) {
        reads.push({ url: `/v1/contacts?email=${encodeURIComponent(email)}`, auth: 'secret' })
      }
    }
    if (contact.externalId !== undefined) {
      reads.push({ url: `/v1/contacts?externalId=${contact.externalId}`, auth: 'secret' })
    }
  }
  const people = peopleOf(facts)
  for (const subject of people) {
    reads.push({ url: `/v1/consents?${subject}`, auth: 'secret' })
    for (const purpose of facts.purposes) {
      reads.push({ url: `/v1/consents/decision?purpose=${purpose}&${subject}`, auth: 'secret' })
    }
  }
  // Every other identifier a person is known by leads to the same ledger subject.
  for (const subject of identifiersOf(facts).filter((name) => !people.includes(name))) {
    reads.push({ url: `/v1/consents/decision?purpose=marketing&${subject}`, auth: 'secret' })
  }
  const [firstVisitor] = facts.visitors
  if (firstVisitor !== undefined) {
    // The browser's own view: the public key reads its choices without the proof.
    reads.push({ url: `/v1/consents?anonymousId=${firstVisitor.anonymousId}`, auth: 'public' })
  }
  for (const visitor of facts.visitors) {
    reads.push({ url: `/v1/events?anonymousId=${visitor.anonymousId}`, auth: 'secret' })
    if (visitor.identifiedAs !== undefined) {
      reads.push({ url: `/v1/events?externalId=${visitor.identifiedAs}`, auth: 'secret' })
    }
  }
  return reads
}

/** Every identifier of a person or visitor as a query string. */
function identifiersOf(facts: FixtureFacts): string[] {
  const subjects: string[] = []
  for (const contact of facts.contacts) {
    if (contact.externalId !== undefined) subjects.push(`externalId=${contact.externalId}`)
    if (contact.email !== undefined) subjects.push(`email=${encodeURIComponent(contact.email)}`)
  }
  for (const visitor of facts.visitors) subjects.push(`anonymousId=${visitor.anonymousId}`)
  return subjects
}

/** One identifier per person and visitor: their externalId, else email, else anonymousId. */
function peopleOf(facts: FixtureFacts): string[] {
  const contacts = facts.contacts.map((contact) =>
    contact.externalId !== undefined
      ? `externalId=${contact.externalId}`
      : `email=${encodeURIComponent(contact.email ?? '')}`,
  )
  return [...contacts, ...facts.visitors.map((visitor) => `anonymousId=${visitor.anonymousId}`)]
}

/**
 * Asks the release each read and keeps its answer: a page, or a problem (RFC 9457)
 * without the fields that name the one request it answered (`instance`, `requestId`).
 */
export async function recordReads(api: ReleaseApi, facts: FixtureFacts): Promise<RecordedRead[]> {
  const recorded: RecordedRead[] = []
  for (const read of readsOf(facts)) {
    const answer = await api.call('GET', read.url, { auth: read.auth, expect: [200, 404] })
    const body = answer.status === 200 ? answer.body : withoutRequestFields(answer.body)
    recorded.push({ ...read, status: answer.status, body })
  }
  return recorded
}

function withoutRequestFields(problem: unknown): unknown {
  if (problem === null || typeof problem !== 'object') return problem
  return Object.fromEntries(
    Object.entries(problem).filter(([key]) => key !== 'instance' && key !== 'requestId'),
  )
}
