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
 * The clocks of a data subject request under fast-check, in every time zone with a
 * strange offset and every country with holidays: Art. 12(3) GDPR's month, counted by
 * Regulation 1182/71, always ends on a working day at the end of that day in the
 * controller's calendar, at least 28 days after receipt and no later than the month plus
 * the longest closure; the extension ends at least two months later; a later receipt is
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

function calendarDayOf(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(instant)
}

describe('request deadlines under fast-check', () => {
  test('the month ends on a working day, at the end of it, 28 to 40 days on', () => {
    fc.assert(
      fc.property(calendarArbitrary, receiptArbitrary, ({ settings, calendar }, received) => {
        const legal = legalDueDate(received, calendar)
        assert.ok(isWorkingDay(legal.date, calendar), `${legal.date} is not a working day`)
        assert.equal(calendarDayOf(legal.endsAt, settings.timeZone), legal.date)
        // The last millisecond of that day: a millisecond later it is the next day.
        assert.notEqual(
          calendarDayOf(new Date(legal.endsAt.getTime() + 1), settings.timeZone),
          legal.date,
        )
        const days = (legal.endsAt.getTime() - received.getTime()) / dayMs
        assert.ok(days >= 28 && days <= 40, `${days} days`)
        const extended = extendedDueDate(received, calendar)
        assert.ok(extended.endsAt.getTime() - legal.endsAt.getTime() >= 55 * dayMs)
        assert.ok(isWorkingDay(extended.date, calendar))
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
