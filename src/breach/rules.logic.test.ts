import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { defaultThresholds } from './breach-rules.js'
import { chainHit, type DetectionEvent, emptyState, runRules } from './rules.logic.js'
import { normalDays } from './testing/normal-day.js'

const normal = normalDays()
const lastAt = normal.at(-1)?.at ?? '2026-02-16T00:00:00.000Z'
const minute = 60_000

/** The state a replay of the normal days leaves: every rule's windows and baselines. */
function warmedUp() {
  const state = emptyState()
  runRules(state, normal, defaultThresholds)
  return state
}

let seq = normal.length
/** Events after the normal days, one minute apart from `from` minutes past the last. */
function after(
  from: number,
  count: number,
  event: Partial<DetectionEvent> & Pick<DetectionEvent, 'action'>,
): DetectionEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    seq: ++seq,
    at: new Date(Date.parse(lastAt) + (from + index) * minute).toISOString(),
    workspaceId: 'ws-normal',
    actorType: 'operator',
    actorId: null,
    resourceType: null,
    resourceId: null,
    subjectRef: null,
    outcome: 'succeeded',
    details: null,
    address: null,
    network: null,
    ...event,
  }))
}

const rulesOf = (events: DetectionEvent[]) =>
  runRules(warmedUp(), events, defaultThresholds).hits.map((hit) => hit.rule)

describe('the detection rules', () => {
  test('stay quiet on a replay of normal traffic (fifteen days of a small team)', () => {
    assert.ok(normal.length > 1000, 'the fixture is a real workload')
    const { hits } = runRules(emptyState(), normal, defaultThresholds)
    assert.deepEqual(hits, [])
  })

  test('fire on a burst of failed sign-ins against one account, once per burst', () => {
    const burst = after(60, 8, {
      action: 'auth.login_failed',
      outcome: 'failed',
      resourceType: 'operator',
      resourceId: 'op-ben',
      actorId: 'op-ben',
      address: 'addr-attacker',
    })
    const { hits } = runRules(warmedUp(), burst, defaultThresholds)
    assert.deepEqual(
      hits.map((hit) => hit.rule),
      ['failed-logins-account'],
    )
    const [hit] = hits
    assert.ok(hit)
    assert.equal(hit.evidence.count, 5)
    assert.equal(hit.trail?.actorId, 'op-ben')
    // Four failures are below the threshold of five.
    assert.deepEqual(rulesOf(burst.slice(0, 4)), [])
  })

  test('fire on failed sign-ins from one address across many accounts', () => {
    const spray = after(60, 25, {
      action: 'auth.login_failed',
      outcome: 'failed',
      workspaceId: null,
      address: 'addr-sprayer',
      network: 'net-sprayer',
    }).map((event, index) => ({
      ...event,
      at: new Date(Date.parse(lastAt) + 60 * minute + index * 20_000).toISOString(),
    }))
    assert.deepEqual(rulesOf(spray), ['failed-logins-address'])
  })

  test('fire when an actor reads far more subjects than its own baseline', () => {
    const crawl = after(60, 600, {
      action: 'contact.read',
      actorId: 'op-cleo',
      resourceType: 'contact',
      outcome: 'allowed',
    }).map((event, index) => ({
      ...event,
      at: new Date(Date.parse(lastAt) + 24 * 60 * minute + index * 1000).toISOString(),
      subjectRef: `crawled-${String(index)}`,
    }))
    const { hits } = runRules(warmedUp(), crawl, defaultThresholds)
    assert.deepEqual(
      hits.map((hit) => hit.rule),
      ['subject-reads'],
    )
    assert.ok(Number(hits[0]?.evidence.baseline) > 0, 'measured against its own history')
    // The same reads spread over the day stay under the limit.
    const slow = crawl.slice(0, 60)
    assert.deepEqual(rulesOf(slow), [])
  })

  test('fire on a revoked key in use, and on many unknown keys from one address', () => {
    assert.deepEqual(
      rulesOf(
        after(60, 1, {
          action: 'auth.key_refused',
          actorType: 'api-key',
          actorId: 'key-old',
          resourceType: 'api_key',
          resourceId: 'key-old',
          outcome: 'denied',
          details: { reason: 'revoked' },
        }),
      ),
      ['refused-key'],
    )
    const guessing = after(60, 12, {
      action: 'auth.key_refused',
      actorType: 'api-key',
      workspaceId: null,
      outcome: 'denied',
      details: { reason: 'unknown' },
      address: 'addr-guesser',
    })
    assert.deepEqual(rulesOf(guessing), ['refused-key'])
    assert.deepEqual(rulesOf(guessing.slice(0, 5)), [])
  })

  test('fire on an operator session from a new network, and at an unusual hour', () => {
    const day = Date.parse(lastAt) + 2 * 24 * 60 * minute
    const login = (hour: number, network: string): DetectionEvent => ({
      ...after(0, 1, { action: 'auth.login', actorId: 'op-anna', network, address: 'addr-x' })[0]!,
      at: new Date(day - (day % (24 * 60 * minute)) + hour * 60 * minute).toISOString(),
    })
    assert.deepEqual(rulesOf([login(9, 'net-elsewhere')]), ['operator-network'])
    assert.deepEqual(rulesOf([login(3, 'net-office')]), ['operator-hours'])
    assert.deepEqual(rulesOf([login(9, 'net-office')]), [])
  })

  test('fire on transfer-guard refusals and on many erasures or exports in a short time', () => {
    assert.deepEqual(
      rulesOf(after(60, 3, { action: 'transfer.refused', actorType: 'system', outcome: 'denied' })),
      ['transfer-refusals'],
    )
    const erasures = after(60, 20, { action: 'subject.erased', actorId: 'op-ben' })
    assert.deepEqual(rulesOf(erasures), ['mass-rights'])
    assert.deepEqual(rulesOf(erasures.slice(0, 10)), [])
  })

  test('fire once on an audit chain that no longer verifies', () => {
    const state = warmedUp()
    const broken = { seq: 17, reason: 'hash mismatch' }
    assert.equal(chainHit(state, broken, lastAt)?.rule, 'audit-chain')
    assert.equal(chainHit(state, broken, lastAt), undefined, 'not again every minute')
  })

  test('the state survives a JSON round trip, as the detection row stores it', () => {
    const state = JSON.parse(JSON.stringify(warmedUp())) as ReturnType<typeof warmedUp>
    const burst = after(120, 6, {
      action: 'auth.login_failed',
      outcome: 'failed',
      resourceType: 'operator',
      resourceId: 'op-anna',
    })
    assert.deepEqual(
      runRules(state, burst, defaultThresholds).hits.map((hit) => hit.rule),
      ['failed-logins-account'],
    )
  })
})
