import Holidays from 'date-holidays'
import { AppError } from '../errors.js'
import { LruCache } from '../lru.js'
import type { LegalCalendar } from './rights.logic.js'

/**
 * The public holidays of the controller's member state, which move the end of a legal
 * period to the next working day (Regulation 1182/71 Art. 2(1), 3(4)). From the
 * `date-holidays` package: code under ISC, holiday data from Wikipedia under Creative
 * Commons (credited in the README). National public holidays only: no regional ones
 * (a German Land's, a Spanish community's), and no bank, school or observance days,
 * since Art. 2(1) counts the days designated as public holidays in the member state.
 */

/** The public holidays of one country, day by day. */
export interface PublicHolidays {
  /** ISO 3166-1 alpha-2, or null for a workspace that named no country. */
  readonly country: string | null
  /** Whether `date` (`YYYY-MM-DD`) is a national public holiday there. */
  isPublicHoliday(date: string): boolean
  /** The year's national public holidays, in date order, with their local names. */
  holidaysIn(year: number): readonly PublicHoliday[]
}

export interface PublicHoliday {
  /** `YYYY-MM-DD`, the country's own calendar day. */
  readonly date: string
  readonly name: string
}

/** Every country the library has holidays for, ISO 3166-1 alpha-2, in order. */
export const holidayCountries: readonly string[] = Object.freeze(
  Object.keys(new Holidays().getCountries())
    .filter((code) => /^[A-Z]{2}$/.test(code))
    .sort(),
)

const knownCountries = new Set(holidayCountries)

export function isHolidayCountry(country: string): boolean {
  return knownCountries.has(country)
}

/** A workspace that named no country: Saturdays and Sundays still count, no holiday does. */
const noHolidays: PublicHolidays = Object.freeze({
  country: null,
  isPublicHoliday: () => false,
  holidaysIn: () => Object.freeze([]),
})

// A memo, not state: a country's holidays are the same whoever asks, and reading the
// rules of a country costs milliseconds, a request's clock should not pay them.
const calendars = new Map<string, PublicHolidays>()

/**
 * The public holidays of `country` (ISO 3166-1 alpha-2, upper case), or none for null.
 * A code the library does not know is refused rather than read as "no holidays", which
 * would quietly put a deadline on a day the controller's office is closed.
 */
export function publicHolidaysOf(country: string | null): PublicHolidays {
  if (country === null) return noHolidays
  if (!isHolidayCountry(country)) {
    throw new AppError('invalid_request', 'The country is not one whose holidays are known')
  }
  let calendar = calendars.get(country)
  if (calendar === undefined) {
    calendar = countryCalendar(country)
    calendars.set(country, calendar)
  }
  return calendar
}

interface HolidayYear {
  readonly holidays: readonly PublicHoliday[]
  readonly dates: ReadonlySet<string>
}

function countryCalendar(country: string): PublicHolidays {
  const library = new Holidays(country, { types: ['public'] })
  // A clock asks about a few years around now; a back-dated request may ask an old one.
  const years = new LruCache<number, HolidayYear>(8)
  const yearOf = (year: number): HolidayYear => {
    let known = years.get(year)
    if (known === undefined) {
      const holidays = Object.freeze(
        library
          .getHolidays(year)
          .filter((holiday) => holiday.type === 'public')
          // `date` is the local "YYYY-MM-DD hh:mm:ss", whatever the process's zone is.
          .map((holiday) => Object.freeze({ date: holiday.date.slice(0, 10), name: holiday.name })),
      )
      known = { holidays, dates: new Set(holidays.map((holiday) => holiday.date)) }
      years.set(year, known)
    }
    return known
  }
  return Object.freeze({
    country,
    holidaysIn: (year: number) => yearOf(year).holidays,
    isPublicHoliday: (date: string) => {
      const year = Number(date.slice(0, 4))
      return Number.isInteger(year) && yearOf(year).dates.has(date)
    },
  })
}

/**
 * The calendar a workspace's legal clock counts in, from its rights settings: its time
 * zone, and the public holidays of its country (none when it named no country).
 */
export function legalCalendarOf(settings: {
  readonly country: string | null
  readonly timeZone: string
}): LegalCalendar {
  const holidays = publicHolidaysOf(settings.country)
  return Object.freeze({
    timeZone: settings.timeZone,
    isPublicHoliday: (date: string) => holidays.isPublicHoliday(date),
  })
}
