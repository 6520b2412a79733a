import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Value } from 'typebox/value'
import { isAppError } from '../errors.js'
import { composeWorkspaceSettings } from '../settings-fragments.js'
import { rightsSettings } from './rights.settings.js'

const valid = { slaDays: 7, country: 'DE', timeZone: 'Europe/Berlin' }
const accepts = (change: Record<string, unknown>) =>
  Value.Check(rightsSettings.schema, { ...valid, ...change })

describe('the rights settings', () => {
  test('default to a week, no country and UTC', () => {
    assert.deepEqual(rightsSettings.read({}), { slaDays: 7, country: null, timeZone: 'UTC' })
  })

  test('read slaDays where the workspaces module stored it, the new fields defaulted', () => {
    const oldRow = { slaDays: 5, retentionDays: { conversations: 9 } }
    assert.deepEqual(rightsSettings.read(oldRow), { slaDays: 5, country: null, timeZone: 'UTC' })
  })

  test('keep slaDays within a month, in whole days', () => {
    for (const slaDays of [1, 7, 30]) assert.ok(accepts({ slaDays }), String(slaDays))
    for (const slaDays of [0, 31, 7.5, '7']) assert.ok(!accepts({ slaDays }), String(slaDays))
  })

  test('take a country whose holidays are known, or null', () => {
    for (const country of ['DE', 'FR', 'IE', 'PL', 'GR', 'NO', null]) {
      assert.ok(accepts({ country }), String(country))
    }
    for (const country of ['de', 'XX', 'DEU', 'EL', '', 49]) {
      assert.ok(!accepts({ country }), String(country))
    }
  })

  test('take an IANA time zone the runtime knows', () => {
    const zones = [
      'UTC',
      'Etc/UTC',
      'Europe/Berlin',
      'Europe/Kyiv',
      'America/Argentina/Buenos_Aires',
    ]
    for (const timeZone of zones) assert.ok(accepts({ timeZone }), timeZone)
    const refused = [
      '',
      'Mars/Olympus',
      '+01:00',
      'Europe/Berlin ',
      'Europe//Berlin',
      'A'.repeat(65),
    ]
    for (const timeZone of refused) assert.ok(!accepts({ timeZone }), timeZone)
  })

  test('join the workspace settings: a change to them is checked and kept', () => {
    const composed = composeWorkspaceSettings()
    const changed = composed.applyPatch(composed.defaults(), {
      country: 'FR',
      timeZone: 'Europe/Paris',
    })
    assert.deepEqual(rightsSettings.read(changed), {
      slaDays: 7,
      country: 'FR',
      timeZone: 'Europe/Paris',
    })
    const cleared = composed.applyPatch(changed, { country: null })
    assert.equal(rightsSettings.read(cleared).country, null)
    for (const patch of [{ country: 'XX' }, { timeZone: 'Nowhere/Place' }]) {
      assert.throws(
        () => composed.applyPatch(changed, patch),
        (error) => isAppError(error) && error.code === 'invalid_request',
      )
    }
  })
})
