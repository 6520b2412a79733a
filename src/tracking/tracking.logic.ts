import { isIP } from 'node:net'
import { Compile } from 'typebox/compile'
import type { JsonValue } from '../crypto/index.js'
import type { FieldError } from '../errors.js'
import { type ItemProblem, itemProblem } from '../http/index.js'
import { findJsonFlaw, jsonFlawFieldError } from '../http/index.js'
import { reportItem } from '../http/index.js'
import { type EventInput, EventSchema } from './tracking.schemas.js'
import type { EventType } from './tracking.table.js'

/**
 * The pure rules of ingest: checking one event, normalising its time, cutting an IP
 * down, and building the sealed payload. No I/O; the service calls these per event.
 */

/** RFC 9457 problem details of one rejected event. */
export type EventProblem = ItemProblem

export interface RejectedEvent {
  index: number
  problem: EventProblem
}

/** An event that passed every check, with its time settled. */
export interface CheckedEvent {
  index: number
  /** The client's id, or undefined when the server is to make one. */
  id: string | undefined
  type: EventType
  anonymousId: string | undefined
  externalId: string | undefined
  occurredAt: Date
  input: EventInput
}

export const eventProblem = itemProblem

const validator = Compile(EventSchema)

/** Limits on free-form JSON, so one event cannot carry megabytes of properties. */
const maxJsonBytes = 16 * 1024
/** A clock may run ahead a little; a day ahead is a wrong clock, not a time zone. */
const maxFutureSkewMs = 24 * 60 * 60 * 1000

export interface CheckOptions {
  now: Date
  /** Events older than this many days would be purged at once by retention (Art. 5(1)(e)). */
  retentionDays: number
  /** The batch's `sentAt`, to correct a client clock that is off (Segment's rule). */
  sentAt: Date | undefined
  /** The public key may not relay an IP or user agent: the browser's own are used. */
  mayRelayContext: boolean
}

/** Checks one raw event of a batch; every failure is reported with the field it concerns. */
export function checkEvent(
  raw: unknown,
  index: number,
  options: CheckOptions,
): CheckedEvent | RejectedEvent {
  // First, before anything recursive touches it: a too-deep or non-finite event is
  // rejected alone, and the rest of its batch lands.
  const flaw = findJsonFlaw(raw)
  if (flaw !== undefined) {
    const fieldError = jsonFlawFieldError(flaw)
    const detail = `Event ${index}: a value ${fieldError.message}`
    return { index, problem: eventProblem('invalid_request', detail, [fieldError]) }
  }
  if (!validator.Check(raw)) {
    const report = reportItem(validator, raw)
    return {
      index,
      problem: eventProblem('invalid_request', `Event ${index}: ${report.detail}`, report.errors),
    }
  }
  const event = raw
  const errors: FieldError[] = []
  const field = (name: string, message: string) => errors.push({ in: 'body', field: name, message })
  if (event.anonymousId === undefined && event.externalId === undefined) {
    field('anonymousId', 'or externalId is required')
  }
  if (event.type === 'track' && event.name === undefined) field('name', 'is required for track')
  if (event.type === 'identify' && event.externalId === undefined) {
    field('externalId', 'is required for identify')
  }
  for (const name of ['url', 'referrer'] as const) {
    const value = event[name]
    if (value !== undefined && value !== '' && !isWebUrl(value)) {
      field(name, 'must be an http or https URL')
    }
  }
  if (event.type === 'page' && (event.url === undefined || event.url === '')) {
    field('url', 'is required for page')
  }
  for (const name of ['properties', 'traits'] as const) {
    const value = event[name]
    if (value !== undefined && Buffer.byteLength(JSON.stringify(value)) > maxJsonBytes) {
      field(name, `must be at most ${maxJsonBytes} bytes of JSON`)
    }
  }
  if (event.context !== undefined) {
    if (!options.mayRelayContext) field('context', 'is for the secret key only')
    else if (event.context.ip !== undefined && isIP(event.context.ip) === 0) {
      field('context.ip', 'is not an IP address')
    }
  }
  const occurredAt = settleTime(event.timestamp, options)
  if (typeof occurredAt === 'string') field('timestamp', occurredAt)
  if (errors.length > 0 || typeof occurredAt === 'string') return reject(index, errors)
  return {
    index,
    id: event.id,
    type: event.type,
    anonymousId: event.anonymousId,
    externalId: event.externalId,
    occurredAt,
    input: event,
  }
}

export function isRejected(result: CheckedEvent | RejectedEvent): result is RejectedEvent {
  return 'problem' in result
}

function reject(index: number, errors: FieldError[]): RejectedEvent {
  const first = errors[0]
  const detail = first
    ? `Event ${index}: ${first.field || 'the event'} ${first.message}`
    : `Event ${index} is not valid`
  return { index, problem: eventProblem('invalid_request', detail, errors) }
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === 'http:' || protocol === 'https:'
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/** Parses an ISO 8601 date-time with an offset; undefined when it is not one. */
export function parseTimestamp(value: string): Date | undefined {
  if (!isoDateTime.test(value)) return undefined
  const parsed = new Date(value)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed
}

/**
 * When the event happened. A client clock that is off shifts both `timestamp` and
 * `sentAt` by the same amount, so the event is moved by the difference between `sentAt`
 * and the server's clock. The result must fall within the retention period and not
 * lie in the future; an error message is returned otherwise.
 */
export function settleTime(timestamp: string | undefined, options: CheckOptions): Date | string {
  if (timestamp === undefined) return options.now
  const parsed = parseTimestamp(timestamp)
  if (parsed === undefined) return 'must be an ISO 8601 date-time with a time zone'
  const skew = options.sentAt === undefined ? 0 : options.now.getTime() - options.sentAt.getTime()
  const settled = new Date(parsed.getTime() + skew)
  if (settled.getTime() > options.now.getTime() + maxFutureSkewMs) return 'lies in the future'
  const oldest = options.now.getTime() - options.retentionDays * 24 * 60 * 60 * 1000
  if (settled.getTime() < oldest) return 'is older than the workspace keeps events'
  return settled.getTime() > options.now.getTime() ? options.now : settled
}

export type IpStorage = 'full' | 'truncated' | 'none'

/** An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address it carries. */
export function normaliseIp(ip: string): string | null {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)
  const address = mapped?.[1] ?? ip
  return isIP(address) === 0 ? null : address
}

/**
 * What an event keeps of the visitor's address, per the workspace setting: whole,
 * cut to its network (/24 for IPv4, /48 for IPv6: the host part, which points at one
 * household or device, is dropped), or nothing.
 */
export function ipToStore(ip: string | null, storage: IpStorage): string | null {
  if (ip === null || storage === 'none') return null
  if (storage === 'full') return ip
  return truncateIp(ip)
}

export function truncateIp(ip: string): string | null {
  const family = isIP(ip)
  if (family === 4) return `${ip.split('.').slice(0, 3).join('.')}.0`
  if (family === 6) {
    const groups = expandIpv6(ip)
    return groups === null ? null : `${groups.slice(0, 3).join(':')}::`
  }
  return null
}

function expandIpv6(ip: string): string[] | null {
  // An embedded IPv4 tail (::1.2.3.4) lies past /48, so it can simply count as two groups.
  const withoutV4 = ip.replace(/(\d{1,3}\.){3}\d{1,3}$/, '0:0')
  const [head = '', tail] = withoutV4.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = 8 - headGroups.length - tailGroups.length
  if (missing < 0 || (tail === undefined && missing !== 0)) return null
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
  return groups.map((group) => (Number.parseInt(group, 16) || 0).toString(16))
}

/** Where the visitor is, as far as the offline geo-IP database tells. */
export interface Place {
  country: string | null
  region: string | null
  city: string | null
}

/** The request facts an event is enriched with (the browser's own, or relayed). */
export interface Origin {
  ip: string | null
  userAgent: string | null
}

/**
 * The personal part of an event: one JSON document, sealed as one envelope. Only
 * present fields are included, so an absent referrer is not stored as an empty one.
 */
export function payloadOf(
  event: EventInput,
  enrichment: { storedIp: string | null; userAgent: string | null; place: Place | null },
): { [key: string]: JsonValue } {
  const payload: { [key: string]: JsonValue } = {}
  const put = (key: string, value: JsonValue | undefined | null) => {
    if (value !== undefined && value !== null && value !== '') payload[key] = value
  }
  put('url', event.url)
  put('referrer', event.referrer)
  put('title', event.title)
  put('name', event.name)
  // Validated as JSON objects; a structured clone of parsed JSON is JSON.
  put('properties', event.properties as { [key: string]: JsonValue } | undefined)
  put('traits', event.traits as { [key: string]: JsonValue } | undefined)
  put('screen', event.screen)
  put('ip', enrichment.storedIp)
  put('userAgent', enrichment.userAgent)
  put('region', enrichment.place?.region)
  put('city', enrichment.place?.city)
  return payload
}
