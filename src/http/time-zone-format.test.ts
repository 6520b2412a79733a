import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isTimeZoneName } from './time-zone-format.js'

test('an IANA name the runtime can date an instant in is a time zone', () => {
  for (const name of [
    'UTC',
    'Europe/Berlin',
    'Europe/Kyiv',
    'Etc/GMT+1',
    'America/Port-au-Prince',
  ]) {
    assert.equal(isTimeZoneName(name), true, name)
  }
})

test('an unknown name, an offset or another shape is not', () => {
  for (const name of [
    '',
    'Mars/Olympus',
    '+01:00',
    'UTC+1',
    'Europe/',
    '/Berlin',
    ' UTC',
    'Europe/Berlin\n',
  ]) {
    assert.equal(isTimeZoneName(name), false, JSON.stringify(name))
  }
  assert.equal(isTimeZoneName(`Europe/${'B'.repeat(60)}`), false)
})
