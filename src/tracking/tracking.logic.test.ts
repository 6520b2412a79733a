import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type CheckOptions,
  checkEvent,
  ipToStore,
  isRejected,
  normaliseIp,
  payloadOf,
  settleTime,
  truncateIp,
} from './tracking.logic.js'

const now = new Date('2026-03-01T12:00:00Z')
const options: CheckOptions = { now, retentionDays: 30, sentAt: undefined, mayRelayContext: false }

test('IPs are cut to their network: /24 for IPv4, /48 for IPv6', () => {
  assert.equal(truncateIp('203.0.113.77'), '203.0.113.0')
  assert.equal(truncateIp('2a00:1450:4001:81b::200e'), '2a00:1450:4001::')
  assert.equal(truncateIp('2001:db8::1'), '2001:db8:0::')
  assert.equal(truncateIp('::1'), '0:0:0::')
  assert.equal(truncateIp('::ffff:192.0.2.1'), '0:0:0::')
  assert.equal(truncateIp('not an ip'), null)
})

test('the workspace setting decides what is kept of an address', () => {
  assert.equal(ipToStore('203.0.113.77', 'full'), '203.0.113.77')
  assert.equal(ipToStore('203.0.113.77', 'truncated'), '203.0.113.0')
  assert.equal(ipToStore('203.0.113.77', 'none'), null)
  assert.equal(ipToStore(null, 'full'), null)
})

test('an IPv4-mapped IPv6 peer address is its IPv4 address; junk is no address', () => {
  assert.equal(normaliseIp('::ffff:203.0.113.9'), '203.0.113.9')
  assert.equal(normaliseIp('2001:db8::1'), '2001:db8::1')
  assert.equal(normaliseIp('localhost'), null)
})

test('a skewed client clock is corrected by the batch sentAt', () => {
  // The client's clock runs one hour behind: its event happened 5 minutes before sending.
  const settled = settleTime('2026-03-01T10:55:00Z', {
    ...options,
    sentAt: new Date('2026-03-01T11:00:00Z'),
  })
  assert.deepEqual(settled, new Date('2026-03-01T11:55:00Z'))
})

test('timestamps must be ISO 8601 with a zone, within retention and not in the future', () => {
  assert.deepEqual(settleTime(undefined, options), now)
  assert.deepEqual(
    settleTime('2026-03-01T11:00:00+01:00', options),
    new Date('2026-03-01T10:00:00Z'),
  )
  assert.equal(typeof settleTime('2026-03-01 11:00', options), 'string')
  assert.equal(typeof settleTime('2026-03-01T11:00:00', options), 'string')
  assert.equal(typeof settleTime('2026-03-03T12:00:00Z', options), 'string')
  assert.equal(typeof settleTime('2026-01-01T12:00:00Z', options), 'string')
  // A few minutes ahead is a clock, not a lie: it counts as now.
  assert.deepEqual(settleTime('2026-03-01T12:03:00Z', options), now)
})

test('each rule of an event names its field', () => {
  const fieldOf = (raw: unknown, overrides: Partial<CheckOptions> = {}) => {
    const result = checkEvent(raw, 7, { ...options, ...overrides })
    return isRejected(result) ? result.problem.errors?.map((error) => error.field) : 'ok'
  }
  assert.equal(fieldOf({ type: 'page', anonymousId: 'a', url: 'https://x.test/' }), 'ok')
  assert.deepEqual(fieldOf({ type: 'identify', anonymousId: 'a' }), ['externalId'])
  assert.deepEqual(fieldOf({ type: 'page', anonymousId: 'a' }), ['url'])
  assert.deepEqual(fieldOf({ type: 'page', anonymousId: 'a', url: 'ftp://x.test/' }), ['url'])
  assert.deepEqual(fieldOf({ type: 'track', anonymousId: 'a', name: 'x', id: 'has space' }), ['id'])
  assert.deepEqual(
    fieldOf({
      type: 'track',
      anonymousId: 'a',
      name: 'x',
      properties: { big: 'x'.repeat(20_000) },
    }),
    ['properties'],
  )
  const relayed = { type: 'track', anonymousId: 'a', name: 'x', context: { ip: '1.2.3' } }
  assert.deepEqual(fieldOf(relayed), ['context'])
  assert.deepEqual(fieldOf(relayed, { mayRelayContext: true }), ['context.ip'])
  const rejected = checkEvent(null, 7, options)
  assert.ok(isRejected(rejected))
  assert.equal(rejected.index, 7)
  assert.equal(rejected.problem.status, 400)
  assert.match(rejected.problem.detail, /^Event 7/)
})

test('the sealed payload holds only the fields present, with the stored form of the IP', () => {
  const payload = payloadOf(
    { type: 'page', anonymousId: 'a', url: 'https://x.test/?q=1', referrer: '', title: 'Home' },
    {
      storedIp: '203.0.113.0',
      userAgent: 'UA',
      place: { country: 'GB', region: null, city: 'London' },
    },
  )
  assert.deepEqual(payload, {
    url: 'https://x.test/?q=1',
    title: 'Home',
    ip: '203.0.113.0',
    userAgent: 'UA',
    city: 'London',
  })
})
