import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  addDays,
  addMonthsClamped,
  calendarDayIn,
  dayOfWeek,
  daysInMonth,
  endOfDayIn,
  formatCalendarDay,
  parseCalendarDay,
} from './calendar-dates.js'

const day = parseCalendarDay

describe('calendar days', () => {
  test('are read and written YYYY-MM-DD', () => {
    assert.deepEqual(day('2024-02-29'), { year: 2024, month: 2, day: 29 })
    assert.equal(formatCalendarDay({ year: 987, month: 1, day: 5 }), '0987-01-05')
  })

  test('a day the calendar does not have, or another spelling, is refused', () => {
    for (const text of ['2025-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01', '']) {
      assert.throws(() => day(text), RangeError, text)
    }
  })

  test('know the length of each month, leap years by the Gregorian rule', () => {
    assert.equal(daysInMonth({ year: 2024, month: 2 }), 29)
    assert.equal(daysInMonth({ year: 2025, month: 2 }), 28)
    assert.equal(daysInMonth({ year: 1900, month: 2 }), 28)
    assert.equal(daysInMonth({ year: 2000, month: 2 }), 29)
    assert.equal(daysInMonth({ year: 2026, month: 4 }), 30)
    assert.equal(daysInMonth({ year: 2026, month: 12 }), 31)
  })

  test('step by days across months and years', () => {
    assert.equal(formatCalendarDay(addDays(day('2026-12-31'), 1)), '2027-01-01')
    assert.equal(formatCalendarDay(addDays(day('2024-02-28'), 1)), '2024-02-29')
    assert.equal(formatCalendarDay(addDays(day('2026-03-01'), -1)), '2026-02-28')
  })

  test('step by months to the same date, or the last day of a shorter month', () => {
    const cases: [string, number, string][] = [
      ['2026-01-15', 1, '2026-02-15'],
      ['2026-01-31', 1, '2026-02-28'],
      ['2024-01-31', 1, '2024-02-29'],
      ['2026-03-31', 1, '2026-04-30'],
      ['2026-02-28', 1, '2026-03-28'],
      ['2026-11-30', 3, '2027-02-28'],
      ['2026-12-31', 2, '2027-02-28'],
      ['2026-10-31', 3, '2027-01-31'],
    ]
    for (const [from, months, expected] of cases) {
      assert.equal(formatCalendarDay(addMonthsClamped(day(from), months)), expected, from)
    }
  })

  test('know their weekday', () => {
    assert.equal(dayOfWeek(day('2026-01-01')), 4) // a Thursday
    assert.equal(dayOfWeek(day('2024-02-29')), 4)
    assert.equal(dayOfWeek(day('2027-12-25')), 6)
    assert.equal(dayOfWeek(day('2026-04-05')), 0)
  })
})

describe('the day of an instant in a time zone', () => {
  test('is the wall clock’s date there', () => {
    const instant = new Date('2026-03-09T23:30:00Z')
    assert.deepEqual(calendarDayIn(instant, 'UTC'), day('2026-03-09'))
    assert.deepEqual(calendarDayIn(instant, 'Europe/Berlin'), day('2026-03-10'))
    assert.deepEqual(calendarDayIn(instant, 'America/New_York'), day('2026-03-09'))
    assert.deepEqual(calendarDayIn(instant, 'Pacific/Kiritimati'), day('2026-03-10'))
  })

  test('an unknown zone or an invalid instant is refused', () => {
    assert.throws(() => calendarDayIn(new Date(), 'Mars/Olympus'), RangeError)
    assert.throws(() => calendarDayIn(new Date(Number.NaN), 'UTC'), RangeError)
  })
})

describe('the end of a day in a time zone', () => {
  // Each checked against the zone's rules: the last millisecond the wall clock shows
  // the day, whatever the day's length.
  // prettier-ignore
  const cases: [string, string, string, string][] = [
    ['a UTC day', '2026-06-15', 'UTC', '2026-06-15T23:59:59.999Z'],
    ['a winter day in Berlin (UTC+1)', '2026-01-15', 'Europe/Berlin', '2026-01-15T22:59:59.999Z'],
    ['a summer day in Berlin (UTC+2)', '2026-07-15', 'Europe/Berlin', '2026-07-15T21:59:59.999Z'],
    ['Berlin’s 23-hour day (clocks forward at 02:00)', '2026-03-29', 'Europe/Berlin', '2026-03-29T21:59:59.999Z'],
    ['the day before it, still in winter time', '2026-03-28', 'Europe/Berlin', '2026-03-28T22:59:59.999Z'],
    ['Berlin’s 25-hour day (clocks back at 03:00)', '2026-10-25', 'Europe/Berlin', '2026-10-25T22:59:59.999Z'],
    ['a day in a zone behind UTC (Azores, UTC−1)', '2026-02-16', 'Atlantic/Azores', '2026-02-17T00:59:59.999Z'],
    ['the day before Cairo skips its midnight (next day starts 01:00)', '2026-04-23', 'Africa/Cairo', '2026-04-23T21:59:59.999Z'],
    ['Cairo’s day whose 23:00 hour comes twice', '2026-10-29', 'Africa/Cairo', '2026-10-29T21:59:59.999Z'],
    ['Santiago’s day before clocks skip midnight', '2026-09-05', 'America/Santiago', '2026-09-06T03:59:59.999Z'],
    ['Santiago’s day whose 23:00 hour comes twice', '2026-04-04', 'America/Santiago', '2026-04-05T03:59:59.999Z'],
    ['Lord Howe’s day with a half-hour change', '2026-04-05', 'Australia/Lord_Howe', '2026-04-05T13:29:59.999Z'],
    ['Kiritimati (UTC+14)', '2026-01-01', 'Pacific/Kiritimati', '2026-01-01T09:59:59.999Z'],
    ['Apia, before the day it skipped in 2011', '2011-12-29', 'Pacific/Apia', '2011-12-30T09:59:59.999Z'],
    ['Apia’s skipped 30 December ends where 29 December does', '2011-12-30', 'Pacific/Apia', '2011-12-30T09:59:59.999Z'],
  ]
  for (const [name, date, timeZone, expected] of cases) {
    test(name, () => {
      const endsAt = endOfDayIn(day(date), timeZone)
      assert.equal(endsAt.toISOString(), expected)
      // The last millisecond of the day, and the next one is a later day.
      assert.ok(formatCalendarDay(calendarDayIn(endsAt, timeZone)) <= date)
      assert.ok(formatCalendarDay(calendarDayIn(new Date(endsAt.getTime() + 1), timeZone)) > date)
    })
  }
})
