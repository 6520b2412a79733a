import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { legalCalendarOf } from './holidays.js'
import {
  deadlineStatus,
  dueAt,
  extendedDueDate,
  isNearingDue,
  isOverdue,
  isWorkingDay,
  legalDueDate,
  mayExtend,
  requestClocks,
} from './rights.logic.js'

/**
 * One dated case of the legal clock, worked out by hand from Regulation 1182/71 Art. 3
 * and a calendar: the day of receipt in the zone, the same date a month (or three)
 * later or the month's last day, then forward past Saturdays, Sundays and the
 * country's national public holidays. `endsAt` is 23:59:59.999 of that day on the
 * zone's wall clock, written in UTC.
 */
interface DatedCase {
  name: string
  receivedAt: string
  timeZone: string
  country: string | null
  date: string
  endsAt: string
}

/** name, receivedAt, timeZone, country, date, endsAt: one line each, to read as a table. */
type DatedRow = [string, string, string, string | null, string, string]

// Art. 12(3): one month from receipt.
// prettier-ignore
const oneMonth: DatedCase[] = ([
  // Art. 3(2)(c): the same date in the next month.
  ['a plain month ends on the same date', '2026-03-10T09:00:00Z', 'UTC', null, '2026-04-10', '2026-04-10T23:59:59.999Z'],
  // Art. 3(1): the day of receipt is not counted, so its hour does not matter.
  ['a receipt at the first millisecond of the day', '2026-03-10T00:00:00.000Z', 'UTC', null, '2026-04-10', '2026-04-10T23:59:59.999Z'],
  ['a receipt at the last millisecond of the day', '2026-03-10T23:59:59.999Z', 'UTC', null, '2026-04-10', '2026-04-10T23:59:59.999Z'],
  // Art. 3(2)(c): no such date in the last month → its last day.
  ['31 January → 28 February in a common year', '2025-01-31T12:00:00Z', 'UTC', null, '2025-02-28', '2025-02-28T23:59:59.999Z'],
  ['31 January → 29 February in a leap year', '2024-01-31T12:00:00Z', 'UTC', null, '2024-02-29', '2024-02-29T23:59:59.999Z'],
  ['30 January → 29 February in a leap year', '2024-01-30T12:00:00Z', 'UTC', null, '2024-02-29', '2024-02-29T23:59:59.999Z'],
  ['29 February → 29 March', '2024-02-29T12:00:00Z', 'UTC', null, '2024-03-29', '2024-03-29T23:59:59.999Z'],
  ['28 February of a common year → 28 March, not the month’s last day', '2025-02-28T12:00:00Z', 'UTC', null, '2025-03-28', '2025-03-28T23:59:59.999Z'],
  ['31 March → 30 April', '2026-03-31T08:00:00Z', 'UTC', null, '2026-04-30', '2026-04-30T23:59:59.999Z'],
  // Art. 3(4): a Saturday or Sunday moves the end to the next working day.
  ['30 April → 30 May, a Saturday → Monday 1 June', '2026-04-30T12:00:00Z', 'UTC', null, '2026-06-01', '2026-06-01T23:59:59.999Z'],
  ['31 January → 28 February, a Saturday → Monday 2 March', '2026-01-31T12:00:00Z', 'UTC', null, '2026-03-02', '2026-03-02T23:59:59.999Z'],
  ['no country: Easter Sunday → Monday, no holiday counted', '2026-03-05T10:00:00Z', 'UTC', null, '2026-04-06', '2026-04-06T23:59:59.999Z'],
  // Art. 3(4): public holidays of the member state, after Art. 2(1).
  ['DE: Easter Sunday, then Easter Monday → Tuesday', '2026-03-05T10:00:00Z', 'Europe/Berlin', 'DE', '2026-04-07', '2026-04-07T21:59:59.999Z'],
  ['ES: Easter Monday is no national holiday → Monday', '2026-03-05T10:00:00Z', 'Europe/Madrid', 'ES', '2026-04-06', '2026-04-06T21:59:59.999Z'],
  ['DE: Good Friday, the weekend and Easter Monday → Tuesday', '2026-03-03T10:00:00Z', 'Europe/Berlin', 'DE', '2026-04-07', '2026-04-07T21:59:59.999Z'],
  ['FR: Good Friday is a working day', '2026-03-03T10:00:00Z', 'Europe/Paris', 'FR', '2026-04-03', '2026-04-03T21:59:59.999Z'],
  ['DE: 29 February 2024 → Good Friday 29 March, Easter Monday → 2 April', '2024-02-29T10:00:00Z', 'Europe/Berlin', 'DE', '2024-04-02', '2024-04-02T21:59:59.999Z'],
  ['DE: Christmas Day, Boxing Day on a Saturday, Sunday → Monday 28 December', '2026-11-25T10:00:00Z', 'Europe/Berlin', 'DE', '2026-12-28', '2026-12-28T22:59:59.999Z'],
  ['DE: Christmas Eve is no public holiday', '2027-11-24T10:00:00Z', 'Europe/Berlin', 'DE', '2027-12-24', '2027-12-24T22:59:59.999Z'],
  ['PL: Christmas Eve (public since 2025), both Christmas days, the weekend → Monday 29 December', '2025-11-24T10:00:00Z', 'Europe/Warsaw', 'PL', '2025-12-29', '2025-12-29T22:59:59.999Z'],
  ['PL: 1 May, then a weekend holding 3 May → Monday 4 May', '2026-04-01T10:00:00Z', 'Europe/Warsaw', 'PL', '2026-05-04', '2026-05-04T21:59:59.999Z'],
  ['PL: Corpus Christi → Friday', '2026-05-04T10:00:00Z', 'Europe/Warsaw', 'PL', '2026-06-05', '2026-06-05T21:59:59.999Z'],
  ['NL: King’s Day → Tuesday', '2026-03-27T10:00:00Z', 'Europe/Amsterdam', 'NL', '2026-04-28', '2026-04-28T21:59:59.999Z'],
  ['IT: Republic Day → Wednesday', '2026-05-02T10:00:00Z', 'Europe/Rome', 'IT', '2026-06-03', '2026-06-03T21:59:59.999Z'],
  ['IT: Epiphany → Thursday, across the new year', '2026-12-06T10:00:00Z', 'Europe/Rome', 'IT', '2027-01-07', '2027-01-07T22:59:59.999Z'],
  ['FR: Bastille Day → Wednesday', '2026-06-14T10:00:00Z', 'Europe/Paris', 'FR', '2026-07-15', '2026-07-15T21:59:59.999Z'],
  ['ES: Fiesta Nacional → Tuesday', '2026-09-12T10:00:00Z', 'Europe/Madrid', 'ES', '2026-10-13', '2026-10-13T21:59:59.999Z'],
  ['IE: St Patrick’s Day → Wednesday', '2026-02-17T10:00:00Z', 'Europe/Dublin', 'IE', '2026-03-18', '2026-03-18T23:59:59.999Z'],
  ['IE: a Sunday, then St Brigid’s Day → Tuesday', '2026-12-31T10:00:00Z', 'Europe/Dublin', 'IE', '2027-02-02', '2027-02-02T23:59:59.999Z'],
  ['no country: the same Sunday only moves to Monday', '2026-12-31T10:00:00Z', 'UTC', null, '2027-02-01', '2027-02-01T23:59:59.999Z'],
  // Dates are taken in the workspace's zone: the day of receipt and the end of the last day.
  ['Berlin: 23:30 UTC is already the next day', '2026-03-09T23:30:00Z', 'Europe/Berlin', 'DE', '2026-04-10', '2026-04-10T21:59:59.999Z'],
  ['UTC: the same instant is still the earlier day', '2026-03-09T23:30:00Z', 'UTC', null, '2026-04-09', '2026-04-09T23:59:59.999Z'],
  ['Berlin: the last millisecond before local midnight is the earlier day', '2026-03-09T22:59:59.999Z', 'Europe/Berlin', 'DE', '2026-04-09', '2026-04-09T21:59:59.999Z'],
  ['Azores (UTC−1): 00:30 UTC is still the day before; the end is 00:59:59.999 UTC', '2026-01-15T00:30:00Z', 'Atlantic/Azores', 'PT', '2026-02-16', '2026-02-17T00:59:59.999Z'],
  ['Paris: received just after local midnight of 1 April; 1 May and the weekend → 4 May', '2026-03-31T22:30:00Z', 'Europe/Paris', 'FR', '2026-05-04', '2026-05-04T21:59:59.999Z'],
  // Daylight saving time between receipt and the end.
  ['Berlin: received in summer time, due in winter time', '2026-09-26T22:30:00Z', 'Europe/Berlin', 'DE', '2026-10-27', '2026-10-27T22:59:59.999Z'],
  ['Helsinki: received in the night the clocks go forward', '2026-03-28T22:30:00Z', 'Europe/Helsinki', 'FI', '2026-04-29', '2026-04-29T20:59:59.999Z'],
  ['Cairo: due on a day that starts at 01:00 (clocks forward at midnight)', '2026-03-24T10:00:00Z', 'Africa/Cairo', null, '2026-04-24', '2026-04-24T20:59:59.999Z'],
  ['Cairo: due on a day whose 23:00 hour comes twice (clocks back at midnight)', '2026-09-29T10:00:00Z', 'Africa/Cairo', null, '2026-10-29', '2026-10-29T21:59:59.999Z'],
] satisfies DatedRow[]).map(datedCase)

// Art. 12(3): extended by two further months, three months from receipt.
// prettier-ignore
const threeMonths: DatedCase[] = ([
  ['31 January → 30 April; the first month’s weekend does not carry over', '2026-01-31T12:00:00Z', 'UTC', null, '2026-04-30', '2026-04-30T23:59:59.999Z'],
  ['30 November → 29 February of a leap year', '2027-11-30T12:00:00Z', 'UTC', null, '2028-02-29', '2028-02-29T23:59:59.999Z'],
  ['30 November → 28 February, a Sunday → Monday 1 March', '2026-11-30T12:00:00Z', 'UTC', null, '2027-03-01', '2027-03-01T23:59:59.999Z'],
  ['lands on a Saturday → Monday', '2026-03-06T12:00:00Z', 'UTC', null, '2026-06-08', '2026-06-08T23:59:59.999Z'],
  ['DE: lands on Ascension Day → Friday', '2026-02-14T12:00:00Z', 'Europe/Berlin', 'DE', '2026-05-15', '2026-05-15T21:59:59.999Z'],
  ['DE: New Year’s Day, then the weekend → Monday 4 January', '2026-10-01T12:00:00Z', 'Europe/Berlin', 'DE', '2027-01-04', '2027-01-04T22:59:59.999Z'],
  ['IT: Christmas Day, Santo Stefano on a Saturday, Sunday → Monday', '2026-09-25T12:00:00Z', 'Europe/Rome', 'IT', '2026-12-28', '2026-12-28T22:59:59.999Z'],
  ['IE: lands on the June public holiday → Tuesday', '2026-03-01T12:00:00Z', 'Europe/Dublin', 'IE', '2026-06-02', '2026-06-02T22:59:59.999Z'],
  ['Berlin: 23:30 UTC on 31 October is 1 November → Monday 1 February', '2026-10-31T23:30:00Z', 'Europe/Berlin', 'DE', '2027-02-01', '2027-02-01T22:59:59.999Z'],
] satisfies DatedRow[]).map(datedCase)

function datedCase([name, receivedAt, timeZone, country, date, endsAt]: DatedRow): DatedCase {
  return { name, receivedAt, timeZone, country, date, endsAt }
}

describe('the legal clock: one month from receipt (Regulation 1182/71 Art. 3)', () => {
  for (const dated of oneMonth) {
    test(dated.name, () => {
      const calendar = legalCalendarOf(dated)
      const deadline = legalDueDate(new Date(dated.receivedAt), calendar)
      assert.equal(deadline.date, dated.date)
      assert.equal(deadline.endsAt.toISOString(), dated.endsAt)
      assert.ok(isWorkingDay(deadline.date, calendar))
    })
  }
})

describe('the extended clock: three months from receipt (Art. 12(3))', () => {
  for (const dated of threeMonths) {
    test(dated.name, () => {
      const deadline = extendedDueDate(new Date(dated.receivedAt), legalCalendarOf(dated))
      assert.equal(deadline.date, dated.date)
      assert.equal(deadline.endsAt.toISOString(), dated.endsAt)
    })
  }
})

test('the table holds at least thirty dated cases across seven member states', () => {
  const all = [...oneMonth, ...threeMonths]
  assert.ok(all.length >= 30)
  const countries = new Set(all.map((dated) => dated.country).filter((code) => code !== null))
  for (const country of ['DE', 'FR', 'IE', 'PL', 'ES', 'NL', 'IT'])
    assert.ok(countries.has(country))
})

describe('the workspace’s own clock (slaDays)', () => {
  test('is receipt plus slaDays calendar days, to the same instant', () => {
    assert.equal(
      dueAt(new Date('2026-03-27T10:15:00Z'), 7).toISOString(),
      '2026-04-03T10:15:00.000Z',
    )
  })

  test('skips no weekend or holiday: a week from Good Friday ends on a Friday', () => {
    assert.equal(
      dueAt(new Date('2026-04-03T08:00:00Z'), 7).toISOString(),
      '2026-04-10T08:00:00.000Z',
    )
  })

  test('spans months and a leap day', () => {
    assert.equal(
      dueAt(new Date('2024-02-20T00:00:00Z'), 30).toISOString(),
      '2024-03-21T00:00:00.000Z',
    )
  })

  test('refuses a count that is not whole days, one or more', () => {
    for (const slaDays of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => dueAt(new Date('2026-01-01T00:00:00Z'), slaDays), RangeError)
    }
  })

  test('refuses an invalid instant', () => {
    assert.throws(() => dueAt(new Date('not a date'), 7), RangeError)
  })
})

describe('the clocks of a new request', () => {
  test('are the workspace’s due instant and the legal date and instant', () => {
    const calendar = legalCalendarOf({ country: 'DE', timeZone: 'Europe/Berlin' })
    const clocks = requestClocks(new Date('2026-03-05T10:00:00Z'), 7, calendar)
    assert.deepEqual(
      {
        dueAt: clocks.dueAt.toISOString(),
        legalDueDate: clocks.legalDueDate,
        legalDueAt: clocks.legalDueAt.toISOString(),
      },
      {
        dueAt: '2026-03-12T10:00:00.000Z',
        legalDueDate: '2026-04-07',
        legalDueAt: '2026-04-07T21:59:59.999Z',
      },
    )
  })

  test('the workspace’s promise never runs past the legal due instant', () => {
    // 30 days from 1 February pass 1 March, a Sunday; the law ends on Monday 2 March.
    const calendar = legalCalendarOf({ country: null, timeZone: 'UTC' })
    const clocks = requestClocks(new Date('2026-02-01T10:00:00Z'), 30, calendar)
    assert.equal(clocks.legalDueAt.toISOString(), '2026-03-02T23:59:59.999Z')
    assert.equal(clocks.dueAt.toISOString(), '2026-03-02T23:59:59.999Z')
  })

  test('an invalid receipt instant is refused', () => {
    const calendar = legalCalendarOf({ country: null, timeZone: 'UTC' })
    assert.throws(() => legalDueDate(new Date(Number.NaN), calendar), RangeError)
  })
})

describe('extension is allowed only until the legal due instant', () => {
  const legalDueAt = new Date('2026-04-07T21:59:59.999Z')

  test('before and at the instant', () => {
    assert.equal(mayExtend(legalDueAt, new Date('2026-03-20T12:00:00Z')), true)
    assert.equal(mayExtend(legalDueAt, legalDueAt), true)
  })

  test('not a millisecond after', () => {
    assert.equal(mayExtend(legalDueAt, new Date(legalDueAt.getTime() + 1)), false)
  })
})

describe('overdue and nearing, for listings and reminders', () => {
  const due = new Date('2026-03-12T10:00:00Z')
  const at = (iso: string) => new Date(iso)

  test('a request is overdue only after its due instant', () => {
    assert.equal(isOverdue(due, at('2026-03-12T10:00:00.000Z')), false)
    assert.equal(isOverdue(due, at('2026-03-12T10:00:00.001Z')), true)
  })

  test('nearing within a day of the due instant, and not once overdue', () => {
    assert.equal(isNearingDue(due, at('2026-03-11T09:59:59.999Z')), false)
    assert.equal(isNearingDue(due, at('2026-03-11T10:00:00.000Z')), true)
    assert.equal(isNearingDue(due, due), true)
    assert.equal(isNearingDue(due, at('2026-03-12T10:00:00.001Z')), false)
  })

  test('the window can be chosen', () => {
    const threeDays = 3 * 86_400_000
    assert.equal(isNearingDue(due, at('2026-03-09T10:00:00Z'), threeDays), true)
    assert.equal(isNearingDue(due, at('2026-03-09T09:59:59Z'), threeDays), false)
  })

  test('one status says which', () => {
    assert.equal(deadlineStatus(due, at('2026-03-05T10:00:00Z')), 'on-time')
    assert.equal(deadlineStatus(due, at('2026-03-12T09:00:00Z')), 'nearing')
    assert.equal(deadlineStatus(due, at('2026-03-13T09:00:00Z')), 'overdue')
  })
})

describe('working days (Regulation 1182/71 Art. 2(2))', () => {
  const germany = legalCalendarOf({ country: 'DE', timeZone: 'Europe/Berlin' })

  test('Saturdays, Sundays and public holidays are not working days', () => {
    assert.equal(isWorkingDay('2026-10-02', germany), true)
    assert.equal(isWorkingDay('2026-10-03', germany), false) // a Saturday and a holiday
    assert.equal(isWorkingDay('2026-10-04', germany), false)
    assert.equal(isWorkingDay('2026-05-14', germany), false) // Ascension Day
  })

  test('a date not written YYYY-MM-DD is refused', () => {
    assert.throws(() => isWorkingDay('2026-5-14', germany), RangeError)
    assert.throws(() => isWorkingDay('2026-02-30', germany), RangeError)
  })
})
