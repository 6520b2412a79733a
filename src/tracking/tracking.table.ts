/**
 * One tracked event (page, track or identify) of a workspace's end-user.
 *
 * What stays readable is only what lets the workspace query and count without opening
 * anything, and none of it names or locates a person on its own:
 * - the event id, its type, when it happened and when it arrived;
 * - who it is about as pseudonyms only: the subject id (whose key seals the
 *   row, so erasing the person shreds their events too) and keyed blind indexes of the
 *   anonymous id and external id (never the ids themselves);
 * - coarse facts parsed on the server: browser family and major version, OS family,
 *   device type and country. Each is shared by millions of people.
 *
 * Everything else — URL with its query, referrer, title, event name, properties,
 * traits, screen size, IP, full user agent, city — is in `sealed`: ONE envelope per
 * event under the subject's key (one cipher call, ~10 µs, instead of one per field).
 * The city and the screen size stay sealed because, in a small place or with an
 * unusual screen, they narrow a person down; the event name because an application
 * may put anything in it.
 */
export interface TrackingEventsTable {
  workspace_id: string
  /** The client's id (idempotency: stored once per workspace) or one the server made. */
  id: string
  type: EventType
  subject_id: string
  anonymous_index: Buffer | null
  external_index: Buffer | null
  /** When the event happened, by the client's clock (checked to be plausible). */
  occurred_at: string
  /** When the server accepted it; orders the workspace's events. */
  received_at: string
  browser: string | null
  browser_version: string | null
  os: string | null
  device: DeviceType
  /** ISO 3166-1 alpha-2, from the offline geo-IP database; null when unknown. */
  country: string | null
  sealed: Buffer
}

export const eventTypes = ['page', 'track', 'identify'] as const
export type EventType = (typeof eventTypes)[number]

export const deviceTypes = ['desktop', 'mobile', 'tablet', 'tv', 'bot', 'unknown'] as const
export type DeviceType = (typeof deviceTypes)[number]

/** The sealed cell of an event: table and column as declared for key rotation. */
export const eventCell = (eventId: string) =>
  ({ table: 'tracking_events', column: 'sealed', rowId: eventId }) as const
