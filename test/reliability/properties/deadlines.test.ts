import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { holidayCountries, legalCalendarOf } from '../../../src/rights/holidays.js'
import {
  extendedDueDate,
  isWorkingDay,
  legalDueDate,
  requestClocks,
} from '../../../src/rights/rights.logic.js'
import { longRun } from '../long-run.js'
import { propertyOptions } from './options.js'

/**
 * The clocks of a data subject request under fast-check, in time zones with strange
 * offsets and summer times, with every country's holidays: Art. 12(3) GDPR's month (and
 * the extension to three), counted by Regulation 1182/71, ends on the first working day
 * from the same date a month on (Art. 3(2)(c), 3(4)), computed here independently, at
 * the last millisecond of that day in the controller's calendar; a later receipt is
 * never due earlier; the workspace's own promise never outruns the law.
 */
const options = propertyOptions(longRun ? 3000 : 150)
const dayMs = 86_400_000

const timeZones = [
  'UTC',
  'Europe/Berlin',
  'Europe/Dublin',
  'Europe/Lisbon',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'America/Adak',
]
const calendarArbitrary = fc
  .record({
    timeZone: fc.constantFrom(...timeZones),
    country: fc.option(fc.constantFrom(...holidayCountries), { nil: null }),
  })
  .map((settings) => ({ settings, calendar: legalCalendarOf(settings) }))
const receiptArbitrary = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2090-12-31T00:00:00Z'),
  noInvalidDate: true,
})

/** The same date `months` later, or that month's last day when it has none (Art. 3(2)(c)). */
function nominalEnd(receiptDay: string, months: number): string {
  const [year = 0, month = 1, day = 1] = receiptDay.split('-').map(Number)
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate()
  return new Date(Date.UTC(year, month - 1 + months, Math.min(day, lastDay)))
    .toISOString()
    .slice(0, 10)
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + dayMs).toISOString().slice(0, 10)
}

function calendarDayOf(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(instant)
}

describe('request deadlines under fast-check', () => {
  test('the period ends on the first working day from the nominal date, at the end of it', () => {
    fc.assert(
      fc.property(calendarArbitrary, receiptArbitrary, ({ settings, calendar }, received) => {
        const receiptDay = calendarDayOf(received, settings.timeZone)
        for (const [months, deadline] of [
          [1, legalDueDate(received, calendar)],
          [3, extendedDueDate(received, calendar)],
        ] as const) {
          // Regulation 1182/71 Art. 3(2)(c) and 3(4), computed here independently.
          const nominal = nominalEnd(receiptDay, months)
          assert.ok(deadline.date >= nominal, `${deadline.date} before ${nominal}`)
          assert.ok(isWorkingDay(deadline.date, calendar), `${deadline.date} is not a working day`)
          for (let day = nominal; day < deadline.date; day = nextDay(day)) {
            assert.ok(
              !isWorkingDay(day, calendar),
              `${day} was a working day before ${deadline.date}`,
            )
          }
          assert.equal(calendarDayOf(deadline.endsAt, settings.timeZone), deadline.date)
          // The last millisecond of that day: a millisecond later it is the next day.
          const after = calendarDayOf(new Date(deadline.endsAt.getTime() + 1), settings.timeZone)
          assert.equal(after, nextDay(deadline.date))
        }
        assert.ok(
          extendedDueDate(received, calendar).endsAt > legalDueDate(received, calendar).endsAt,
        )
      }),
      options,
    )
  })

  test('a later receipt is never due earlier, and the promise never outruns the law', () => {
    fc.assert(
      fc.property(
        calendarArbitrary,
        receiptArbitrary,
        fc.integer({ min: 0, max: 40 * dayMs }),
        fc.integer({ min: 1, max: 30 }),
        ({ calendar }, received, later, slaDays) => {
          const second = new Date(received.getTime() + later)
          assert.ok(
            legalDueDate(second, calendar).endsAt >= legalDueDate(received, calendar).endsAt,
          )
          const clocks = requestClocks(received, slaDays, calendar)
          assert.ok(clocks.dueAt <= clocks.legalDueAt)
          assert.ok(clocks.dueAt > received)
        },
      ),
      options,
    )
  })
})
