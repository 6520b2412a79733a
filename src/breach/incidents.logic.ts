/**
 * The breach register's pure rules: the 72-hour clock of Art. 33(1) and what an
 * affected-subject count is made of. No I/O.
 */

export const hourMs = 3_600_000
/** Art. 33(1): "where feasible, not later than 72 hours after having become aware of it". */
export const authorityHours = 72
/** The warning comes with a day left, so there is time to write and send the notice. */
export const warningHours = 48

export const breachNatures = ['confidentiality', 'integrity', 'availability'] as const
export type BreachNature = (typeof breachNatures)[number]

export type ClockState = 'running' | 'warning' | 'overdue' | 'notified' | 'not-required'

export interface BreachClock {
  readonly state: ClockState
  readonly authorityDeadline: string
  readonly hoursElapsed: number
  /** Negative once the deadline has passed. */
  readonly hoursLeft: number
}

export function authorityDeadlineOf(awareAt: string): string {
  return new Date(Date.parse(awareAt) + authorityHours * hourMs).toISOString()
}

/**
 * Where an incident's clock stands: notified (the authority has it), not-required (the
 * breach is judged unlikely to result in a risk, Art. 33(1), and the reasons recorded),
 * overdue at 72 hours (a late notice must give the reasons for the delay), a warning from
 * 48 hours, else running.
 */
export function clockOf(
  incident: { awareAt: string; art33Decision: string | null; authorityNotifiedAt: string | null },
  now: Date,
): BreachClock {
  const elapsedMs = now.getTime() - Date.parse(incident.awareAt)
  const authorityDeadline = authorityDeadlineOf(incident.awareAt)
  const hoursElapsed = Math.floor(elapsedMs / hourMs)
  const hoursLeft = Math.ceil((Date.parse(authorityDeadline) - now.getTime()) / hourMs)
  const state: ClockState =
    incident.authorityNotifiedAt !== null
      ? 'notified'
      : incident.art33Decision === 'not-required'
        ? 'not-required'
        : elapsedMs >= authorityHours * hourMs
          ? 'overdue'
          : elapsedMs >= warningHours * hourMs
            ? 'warning'
            : 'running'
  return { state, authorityDeadline, hoursElapsed, hoursLeft }
}

/**
 * The data categories (the registry's names) an audit entry's resource touches: what an
 * authority notice must name (Art. 33(3)(a)). An unknown resource adds none.
 */
const categoriesOfResource: Readonly<Record<string, readonly string[]>> = {
  contact: ['identifiers', 'contact-profile'],
  events: ['browsing', 'device', 'location'],
  conversation: ['conversations'],
  message: ['conversations'],
  attachment: ['conversations'],
  consent_event: ['consent-proof'],
  consent_subject: ['consent-proof'],
  subject_export: ['identifiers', 'contact-profile', 'browsing', 'consent-proof'],
  operator: ['operator-account'],
  rights_request: ['identifiers'],
  drp_request: ['identifiers'],
}

/** The trail entry's resource type → categories; read and export verbs only. */
export function categoriesOf(resourceType: string | null): readonly string[] {
  return resourceType === null ? [] : (categoriesOfResource[resourceType] ?? [])
}

/** Counts of an actor's trail: distinct subjects by blind reference, and records touched. */
export interface AffectedCount {
  readonly subjects: number
  readonly records: number
  readonly categories: readonly string[]
}

/** Whether a trail entry read or exported personal data (the verbs the audit log uses). */
export function isDisclosure(action: string): boolean {
  return /[._](read|listed|exported|revealed)$/.test(action) && !action.startsWith('breach.')
}
