import { legalCalendarOf } from './holidays.js'
import { extendedDueDate, mayExtend, requestClocks as clocksAt } from './rights.logic.js'

/** A workspace's rights settings, as far as the clocks read them. */
export interface ClockSettings {
  readonly slaDays: number
  readonly country: string | null
  readonly timeZone: string
}

/** A request's two clocks, with the receipt they count from. */
export interface RequestClocks {
  readonly receivedAt: Date
  readonly dueAt: Date
  readonly legalDueDate: string
  readonly legalDueAt: Date
}

/** The promise (`slaDays`) and the law (one month by Regulation 1182/71) for one receipt. */
export function requestClocks(receivedAt: Date, settings: ClockSettings): RequestClocks {
  return { receivedAt, ...clocksAt(receivedAt, settings.slaDays, legalCalendarOf(settings)) }
}

/** Art. 12(3): three months from receipt, by the same rules. */
export function extensionClock(
  receivedAt: Date,
  settings: ClockSettings,
): { date: string; at: Date } {
  const extended = extendedDueDate(receivedAt, legalCalendarOf(settings))
  return { date: extended.date, at: extended.endsAt }
}

export { mayExtend }
