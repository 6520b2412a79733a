import { LruCache } from '../lru.js'

/**
 * Calendar days, and the instants that bound them in an IANA time zone, through `Intl`
 * (Node 20 has no Temporal). Regulation 1182/71 counts a period in whole days, and a day
 * is the controller's local day, so the legal clock takes every date in the workspace's
 * time zone; this file is where instants and local days meet.
 */

/** A day on the Gregorian calendar; `month` runs 1–12. */
export interface CalendarDay {
  readonly year: number
  readonly month: number
  readonly day: number
}

const dayMs = 86_400_000
const hourMs = 3_600_000

/** `YYYY-MM-DD`, as the API shows a legal date. */
export function formatCalendarDay({ year, month, day }: CalendarDay): string {
  return `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}`
}

/** Reads `YYYY-MM-DD`; anything else, or a day the month does not have, is refused. */
export function parseCalendarDay(text: string): CalendarDay {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) throw new RangeError('A calendar day is written YYYY-MM-DD')
  const day = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
  if (day.month < 1 || day.month > 12 || day.day < 1 || day.day > daysInMonth(day)) {
    throw new RangeError('The calendar has no such day')
  }
  return day
}

/** Days since 1970-01-01: orders days and steps between them. */
export function dayNumber({ year, month, day }: CalendarDay): number {
  return Math.floor(wallClockMs(year, month, day, 0, 0, 0) / dayMs)
}

export function addDays(from: CalendarDay, days: number): CalendarDay {
  const date = new Date((dayNumber(from) + days) * dayMs)
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
}

/**
 * The same date `months` later, or the last day of that month when it has no such date
 * (Regulation 1182/71 Art. 3(2)(c)): 31 January + 1 → 28 or 29 February.
 */
export function addMonthsClamped(from: CalendarDay, months: number): CalendarDay {
  const monthIndex = from.year * 12 + (from.month - 1) + months
  const target = { year: Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1, day: 1 }
  return { ...target, day: Math.min(from.day, daysInMonth(target)) }
}

/** 0 for Sunday to 6 for Saturday, as `Date#getUTCDay`. */
export function dayOfWeek(day: CalendarDay): number {
  return new Date(dayNumber(day) * dayMs).getUTCDay()
}

export function daysInMonth({ year, month }: Pick<CalendarDay, 'year' | 'month'>): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(wallClockMs(year, month + 1, 0, 0, 0, 0)).getUTCDate()
}

/** The day `instant` falls on in `timeZone`. */
export function calendarDayIn(instant: Date, timeZone: string): CalendarDay {
  const { year, month, day } = wallClockIn(instant.getTime(), timeZone)
  return { year, month, day }
}

/**
 * The last millisecond of `day` in `timeZone`: the instant before the local date turns
 * to a later day for good. Found from the zone's offsets around the next midnight, so a
 * day that is 23 or 25 hours long (a DST change), or whose midnight the clocks skip or
 * repeat, ends when the clock on the wall says it does.
 */
export function endOfDayIn(day: CalendarDay, timeZone: string): Date {
  const next = addDays(day, 1)
  const nextMidnight = wallClockMs(next.year, next.month, next.day, 0, 0, 0)
  const offsets = new Set(
    [-36, -12, 0, 12, 36].map((hours) => offsetMs(nextMidnight + hours * hourMs, timeZone)),
  )
  const dayIndex = dayNumber(day)
  let dayEnds: number | undefined
  for (const offset of offsets) {
    // When the wall clock would read the next midnight under this offset; a boundary
    // only if the local day changes there, past `day` (a day the zone skips included).
    const candidate = nextMidnight - offset
    const before = dayNumber(calendarDayIn(new Date(candidate - 1), timeZone))
    const at = dayNumber(calendarDayIn(new Date(candidate), timeZone))
    if (before <= dayIndex && at > dayIndex && candidate > (dayEnds ?? -Infinity)) {
      dayEnds = candidate
    }
  }
  if (dayEnds === undefined) {
    throw new Error(`The end of ${formatCalendarDay(day)} in ${timeZone} was not found`)
  }
  return new Date(dayEnds - 1)
}

interface WallClock extends CalendarDay {
  readonly hour: number
  readonly minute: number
  readonly second: number
}

// One formatter per zone: making one costs far more than using it. Bounded, though
// only validated zone names reach it.
const formatters = new LruCache<string, Intl.DateTimeFormat>(64)

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** What a wall clock in `timeZone` shows at `epochMs`, to the second. */
function wallClockIn(epochMs: number, timeZone: string): WallClock {
  if (!Number.isFinite(epochMs)) throw new RangeError('Not a valid instant')
  const parts: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  const field = (name: string): number => {
    const value = parts[name]
    if (value === undefined || !Number.isInteger(value)) {
      throw new Error(`Intl gave no ${name} for an instant in ${timeZone}`)
    }
    return value
  }
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour'),
    minute: field('minute'),
    second: field('second'),
  }
}

/** How far `timeZone`'s wall clock is ahead of UTC at `epochMs`. */
function offsetMs(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000
  const wall = wallClockIn(wholeSecond, timeZone)
  return (
    wallClockMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second) - wholeSecond
  )
}

/** A wall-clock reading as milliseconds on a UTC scale (years below 100 stay as given). */
function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime()
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0')
}
