import {
  addDays,
  addMonthsClamped,
  type CalendarDay,
  calendarDayIn,
  dayOfWeek,
  endOfDayIn,
  formatCalendarDay,
  parseCalendarDay,
} from './calendar-dates.js'

/**
 * The two clocks of a data subject request, as pure rules: the instant and the
 * calendar are passed in, nothing is read. `dueAt` is the workspace's own promise
 * (`slaDays`, a week by default); the legal clock is what Art. 12(3) allows, one month
 * from receipt, extendable by two further months, counted by Regulation (EEC, Euratom)
 * No 1182/71, the rules for periods in Union acts.
 */

const dayMs = 86_400_000

/** A date as the workspace's calendar has it: `YYYY-MM-DD`. */
export type CalendarDate = string

/**
 * Where the controller keeps its calendar: the time zone its days are taken in, and
 * the public holidays of its member state (Regulation 1182/71 Art. 2(1)). Made from the
 * workspace's settings by `legalCalendarOf`.
 */
export interface LegalCalendar {
  /** An IANA time zone name. */
  readonly timeZone: string
  isPublicHoliday(date: CalendarDate): boolean
}

/** The end of a legal period: its last day, and the last millisecond of that day. */
export interface LegalDeadline {
  readonly date: CalendarDate
  /** 23:59:59.999 of `date` in the calendar's time zone (what the wall clock shows). */
  readonly endsAt: Date
}

/** The clocks a request gets when it is received, as the API answers them. */
export interface RequestClocks {
  readonly dueAt: Date
  readonly legalDueDate: CalendarDate
  readonly legalDueAt: Date
}

/** How long before a due instant a request counts as nearing it: one day. */
export const nearingWindowMs = dayMs

/**
 * The workspace's promise: `slaDays` calendar days after receipt, to the same instant
 * (days of 24 hours, so across a change of clocks the local hour moves by one).
 * Weekends and holidays are not skipped: the promise is a week, not five working days.
 * Up to 28 days it is never later than the legal clock; `requestClocks` caps the rest.
 */
export function dueAt(receivedAt: Date, slaDays: number): Date {
  requireInstant(receivedAt)
  if (!Number.isInteger(slaDays) || slaDays < 1) {
    throw new RangeError('slaDays must be a whole number of days, one or more')
  }
  return new Date(receivedAt.getTime() + slaDays * dayMs)
}

/** Art. 12(3) GDPR: the controller answers "within one month of receipt of the request". */
export function legalDueDate(receivedAt: Date, calendar: LegalCalendar): LegalDeadline {
  return endOfPeriod(receivedAt, 1, calendar)
}

/**
 * Art. 12(3) GDPR: the month "may be extended by two further months where necessary":
 * three months from receipt, counted by the same rules.
 */
export function extendedDueDate(receivedAt: Date, calendar: LegalCalendar): LegalDeadline {
  return endOfPeriod(receivedAt, 3, calendar)
}

/**
 * The clocks of a request received at `receivedAt`, for its record and the API's answer.
 * The workspace's promise is never later than the law: `slaDays` may be up to 30, and a
 * month from 1 February is 28 days, so `dueAt` stops at the legal due instant.
 */
export function requestClocks(
  receivedAt: Date,
  slaDays: number,
  calendar: LegalCalendar,
): RequestClocks {
  const legal = legalDueDate(receivedAt, calendar)
  const promised = dueAt(receivedAt, slaDays)
  return {
    dueAt: promised > legal.endsAt ? legal.endsAt : promised,
    legalDueDate: legal.date,
    legalDueAt: legal.endsAt,
  }
}

/**
 * Whether the period may still be extended: the person must be told of an extension,
 * with its reasons, "within one month of receipt" (Art. 12(3)), so only until the
 * legal due instant has passed. Whether the request was extended before is the
 * request's own state, not this rule's.
 */
export function mayExtend(legalDueAt: Date, now: Date): boolean {
  return requireInstant(now) <= requireInstant(legalDueAt)
}

/** Past its due instant: the instant itself is still on time. */
export function isOverdue(due: Date, now: Date): boolean {
  return requireInstant(now) > requireInstant(due)
}

/** Not yet overdue, and due within `withinMs` (a day by default): time to remind. */
export function isNearingDue(due: Date, now: Date, withinMs: number = nearingWindowMs): boolean {
  const left = requireInstant(due) - requireInstant(now)
  return left >= 0 && left <= withinMs
}

export type DeadlineStatus = 'on-time' | 'nearing' | 'overdue'

/** Where a request stands against one of its clocks, for listings and the reminder job. */
export function deadlineStatus(
  due: Date,
  now: Date,
  withinMs: number = nearingWindowMs,
): DeadlineStatus {
  if (isOverdue(due, now)) return 'overdue'
  return isNearingDue(due, now, withinMs) ? 'nearing' : 'on-time'
}

/** Art. 2(2) of Regulation 1182/71: every day but public holidays, Sundays and Saturdays. */
export function isWorkingDay(date: CalendarDate, calendar: LegalCalendar): boolean {
  return isWorkingDayOn(parseCalendarDay(date), calendar)
}

function isWorkingDayOn(day: CalendarDay, calendar: LegalCalendar): boolean {
  const weekday = dayOfWeek(day)
  return weekday !== 0 && weekday !== 6 && !calendar.isPublicHoliday(formatCalendarDay(day))
}

// Longer than any run of non-working days a calendar can hold; a calendar that says
// otherwise is broken, and an endless loop would hide it.
const longestClosure = 31

/**
 * The end of a period of `months` months from receipt, by Regulation 1182/71:
 * - Art. 3(1), second subparagraph: the day of receipt is not counted, so the period
 *   starts with the next day;
 * - Art. 3(2)(c): it ends with the last hour of the day in the last month with the same
 *   date as the day of receipt, or of that month's last day when it has no such date;
 * - Art. 3(3): Saturdays, Sundays and holidays inside the period count;
 * - Art. 3(4): a period ending on a public holiday, Sunday or Saturday ends with the
 *   last hour of the following working day.
 * (Art. 3(5), at least two working days in any period, always holds for a month.)
 * Days are the calendar's days: a receipt at 23:30 UTC is the next day in Berlin.
 */
function endOfPeriod(receivedAt: Date, months: number, calendar: LegalCalendar): LegalDeadline {
  requireInstant(receivedAt)
  const receiptDay = calendarDayIn(receivedAt, calendar.timeZone)
  let lastDay = addMonthsClamped(receiptDay, months)
  for (let moved = 0; !isWorkingDayOn(lastDay, calendar); moved += 1) {
    if (moved > longestClosure) {
      throw new Error(`No working day within ${longestClosure} days of a period's end`)
    }
    lastDay = addDays(lastDay, 1)
  }
  return { date: formatCalendarDay(lastDay), endsAt: endOfDayIn(lastDay, calendar.timeZone) }
}

function requireInstant(instant: Date): number {
  const epochMs = instant.getTime()
  if (Number.isNaN(epochMs)) throw new RangeError('Not a valid instant')
  return epochMs
}
