import { findLinkedSubjects } from '../subjects/index.js'
import { AppError } from '../errors.js'
import type { Actor } from '../identity/index.js'
import type { JsonValue } from '../crypto/index.js'
import { geoAttribution } from './geo-ip.js'
import type { TrackingDeps } from './tracking.deps.js'
import { selectEventsOfPerson } from './tracking.repository.js'
import { type DeviceType, eventCell, type TrackingEventsTable } from './tracking.table.js'

export interface EventView {
  id: string
  type: string
  occurredAt: string
  receivedAt: string
  browser: string | null
  browserVersion: string | null
  os: string | null
  device: DeviceType
  country: string | null
  payload: { [key: string]: JsonValue } | null
}

export interface EventsPage {
  data: EventView[]
  nextCursor: string | null
  attribution: string
}

export interface ReadEventsInput {
  workspaceId: string
  by: { anonymousId: string } | { externalId: string }
  limit: number
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined
  reader: { actor: Actor; requestId: string | null; ip: string | null }
}

/**
 * One person's events, newest first, their sealed payloads opened: the events of every
 * identifier linked to them, so history follows identify (the consent ledger links the
 * identifiers into one person; events made before the link keep the subject they were
 * sealed under). Found through blind indexes and subject ids, so nothing is decrypted to
 * search; the read is audited once (DESIGN principle 4) before anything is returned.
 */
export async function readEvents(deps: TrackingDeps, input: ReadEventsInput): Promise<EventsPage> {
  const { workspaceId } = input
  const before = input.cursor === undefined ? undefined : parseCursor(input.cursor)
  // The events naming this identifier, and those of every subject linked to its person
  // (an erased person is unknown to the ledger: their leftover rows still show, unopened).
  const person = await findLinkedSubjects(deps, { workspaceId, subject: input.by })
  const rows = await selectEventsOfPerson(
    deps.db,
    workspaceId,
    { ...(await indexOf(deps, workspaceId, input.by)), subjectIds: person?.subjectIds ?? [] },
    { limit: input.limit + 1, ...(before === undefined ? {} : { before }) },
  )
  const shown = rows.slice(0, input.limit)
  const subjectIds = [...new Set(shown.map((row) => row.subject_id))]
  const audited = person?.subjectId ?? (subjectIds.length === 1 ? subjectIds[0] : undefined)
  await deps.audit.record({
    workspaceId,
    actor: input.reader.actor,
    action: 'events.read',
    outcome: 'succeeded',
    resource: { type: 'events' },
    ...(audited === undefined ? {} : { subjectId: audited }),
    requestId: input.reader.requestId,
    ip: input.reader.ip,
    details: { count: shown.length },
  })
  const sealers = await deps.keyring.sealersFor(workspaceId, subjectIds, { create: false })
  const last = shown.at(-1)
  return {
    data: shown.map((row) => viewOf(row, sealers.get(row.subject_id))),
    nextCursor: rows.length > input.limit && last !== undefined ? cursorOf(last) : null,
    attribution: geoAttribution,
  }
}

async function indexOf(deps: TrackingDeps, workspaceId: string, by: ReadEventsInput['by']) {
  return 'anonymousId' in by
    ? {
        column: 'anonymous_index' as const,
        index: await deps.keyring.blindIndex(workspaceId, 'anonymous_id', by.anonymousId),
      }
    : {
        column: 'external_index' as const,
        index: await deps.keyring.blindIndex(workspaceId, 'external_id', by.externalId),
      }
}

export function viewOf(
  row: TrackingEventsTable,
  sealer:
    { openJson(field: ReturnType<typeof eventCell>, sealed: Uint8Array): JsonValue } | undefined,
): EventView {
  const opened = sealer?.openJson(eventCell(row.id), row.sealed)
  return {
    id: row.id,
    type: row.type,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    browser: row.browser,
    browserVersion: row.browser_version,
    os: row.os,
    device: row.device,
    country: row.country,
    // An erased subject's key is gone (crypto-shredding): the payload is unreadable.
    payload: isJsonObject(opened) ? opened : null,
  }
}

function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function cursorOf(row: TrackingEventsTable): string {
  return Buffer.from(JSON.stringify([row.received_at, row.id])).toString('base64url')
}

function parseCursor(cursor: string): { receivedAt: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      return { receivedAt: parsed[0], id: parsed[1] }
    }
  } catch {
    // Reported below, the same as a well-formed cursor of the wrong shape.
  }
  throw new AppError('invalid_request', 'The cursor is not one this API returned', {
    errors: [{ in: 'querystring', field: 'cursor', message: 'is not a valid cursor' }],
  })
}
