import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isAppError } from '../errors.js'
import {
  holidayCountries,
  isHolidayCountry,
  legalCalendarOf,
  publicHolidaysOf,
} from './holidays.js'

// The member states of the EU, and the EEA states the GDPR also applies in.
const euAndEea = [
  ...['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU'],
  ...['IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'],
  ...['IS', 'LI', 'NO'],
]

describe('the countries whose holidays are known', () => {
  test('are ISO 3166-1 alpha-2 codes, in order, every EU and EEA state among them', () => {
    assert.ok(holidayCountries.every((code) => /^[A-Z]{2}$/.test(code)))
    assert.deepEqual([...holidayCountries].sort(), holidayCountries)
    for (const country of euAndEea) assert.ok(isHolidayCountry(country), country)
  })

  test('another spelling or an unknown code is not one', () => {
    for (const code of ['de', 'DEU', 'D', 'XX', 'EU', '', 'DE ']) {
      assert.equal(isHolidayCountry(code), false, code)
    }
  })

  test('an unknown code is refused, not read as a country without holidays', () => {
    assert.throws(
      () => publicHolidaysOf('XX'),
      (error) => isAppError(error) && error.code === 'invalid_request',
    )
  })
})

describe('public holidays', () => {
  test('Germany’s national ones for 2026, and none of a Land’s', () => {
    const dates = publicHolidaysOf('DE')
      .holidaysIn(2026)
      .map((holiday) => holiday.date)
    assert.deepEqual(dates, [
      '2026-01-01', // New Year
      '2026-04-03', // Good Friday
      '2026-04-06', // Easter Monday
      '2026-05-01', // Labour Day
      '2026-05-14', // Ascension
      '2026-05-25', // Whit Monday
      '2026-10-03', // German Unity Day
      '2026-12-25',
      '2026-12-26',
    ])
  })

  test('regional, bank and observance days are not public holidays', () => {
    const germany = publicHolidaysOf('DE')
    assert.equal(germany.isPublicHoliday('2026-01-06'), false) // Epiphany: three Länder only
    assert.equal(germany.isPublicHoliday('2026-06-04'), false) // Corpus Christi: some Länder
    assert.equal(germany.isPublicHoliday('2026-10-31'), false) // Reformation Day: some Länder
    assert.equal(germany.isPublicHoliday('2026-12-24'), false) // Christmas Eve: a bank day
    assert.equal(germany.isPublicHoliday('2026-04-05'), false) // Easter Sunday: an observance
    assert.equal(publicHolidaysOf('IE').isPublicHoliday('2026-04-03'), false) // Good Friday: bank
  })

  test('each member state has its own', () => {
    const cases: [string, string][] = [
      ['FR', '2026-07-14'],
      ['IE', '2026-03-17'],
      ['PL', '2025-12-24'],
      ['ES', '2026-10-12'],
      ['NL', '2026-04-27'],
      ['IT', '2026-06-02'],
    ]
    for (const [country, date] of cases) {
      assert.equal(publicHolidaysOf(country).isPublicHoliday(date), true, `${country} ${date}`)
      assert.equal(publicHolidaysOf('DE').isPublicHoliday(date), false, `DE ${date}`)
    }
  })

  test('Easter moves with the year', () => {
    const germany = publicHolidaysOf('DE')
    assert.equal(germany.isPublicHoliday('2024-04-01'), true)
    assert.equal(germany.isPublicHoliday('2025-04-21'), true)
    assert.equal(germany.isPublicHoliday('2027-03-29'), true)
    assert.equal(germany.isPublicHoliday('2026-04-01'), false)
  })

  test('a calendar is made once per country', () => {
    assert.equal(publicHolidaysOf('FR'), publicHolidaysOf('FR'))
  })

  test('no country means no holidays', () => {
    const none = publicHolidaysOf(null)
    assert.equal(none.isPublicHoliday('2026-12-25'), false)
    assert.deepEqual(none.holidaysIn(2026), [])
  })

  test('a malformed date is no holiday', () => {
    assert.equal(publicHolidaysOf('DE').isPublicHoliday('Christmas'), false)
  })
})

describe('the legal calendar of a workspace', () => {
  test('takes its time zone and its country’s holidays', () => {
    const calendar = legalCalendarOf({ country: 'DE', timeZone: 'Europe/Berlin' })
    assert.equal(calendar.timeZone, 'Europe/Berlin')
    assert.equal(calendar.isPublicHoliday('2026-10-03'), true)
    assert.equal(calendar.isPublicHoliday('2026-10-02'), false)
  })

  test('without a country counts no holiday', () => {
    const calendar = legalCalendarOf({ country: null, timeZone: 'UTC' })
    assert.equal(calendar.isPublicHoliday('2026-10-03'), false)
  })
})
