import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applySettingsPatch, defaultSettings, settingsFrom } from './workspaces.logic.js'

test('defaults: one week to answer requests, 16 as the age of digital consent', () => {
  const settings = defaultSettings()
  assert.equal(settings.slaDays, 7)
  assert.equal(settings.ageOfDigitalConsent, 16)
  assert.deepEqual(settings.retentionDays, {
    events: 395,
    conversations: 730,
    inactiveContacts: 1095,
  })
})

test('a patch changes only what it names', () => {
  const patched = applySettingsPatch(defaultSettings(), {
    ageOfDigitalConsent: 13,
    retentionDays: { events: 30 },
  })
  assert.equal(patched.ageOfDigitalConsent, 13)
  assert.equal(patched.slaDays, 7)
  assert.deepEqual(patched.retentionDays, {
    events: 30,
    conversations: 730,
    inactiveContacts: 1095,
  })
})

test('stored settings missing newer fields get their defaults', () => {
  assert.equal(settingsFrom({ slaDays: 5 }).ageOfDigitalConsent, 16)
})

test('an age of consent outside 13–16 is refused', () => {
  assert.throws(() => applySettingsPatch(defaultSettings(), { ageOfDigitalConsent: 12 }))
})
