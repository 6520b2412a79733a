import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Type } from 'typebox'
import { composeWorkspaceSettings } from '../../settings-fragments.js'
import { loadDataMap } from './load-data-map.js'
import { assertRetentionBounds, retentionBoundsDisagreements } from './retention-bounds.logic.js'

const settings = Type.Object({
  retentionDays: Type.Object({
    events: Type.Integer({ minimum: 1, maximum: 3650, default: 395 }),
  }),
  consentProof: Type.Object({
    limitationDays: Type.Integer({ minimum: 365, maximum: 3650, default: 1095 }),
  }),
})

const instanceMap = loadDataMap()
const anyCategory = Object.values(instanceMap.categories)[0]!

function mapStating(
  ...bounds: Array<{
    setting: string
    minimumDays: number
    maximumDays: number
    defaultDays: number
  }>
) {
  return {
    categories: Object.fromEntries(
      bounds.map((retentionSetting, index) => [
        `category-${index}`,
        { ...anyCategory, retentionSetting },
      ]),
    ),
  }
}

test("the instance's data map states exactly the bounds the workspace settings hold to", () => {
  assert.deepEqual(retentionBoundsDisagreements(instanceMap, composeWorkspaceSettings().schema), [])
  const stated = Object.values(instanceMap.categories).flatMap((category) =>
    category.retentionSetting === undefined ? [] : [category.retentionSetting.setting],
  )
  assert.ok(stated.length >= 4, 'events, inactive contacts, conversations and consent proof')
})

test('a bound the settings do not hold, a missing setting and an unstated period are each named', () => {
  const events = {
    setting: 'retentionDays.events',
    minimumDays: 1,
    maximumDays: 3650,
    defaultDays: 395,
  }
  const proof = {
    setting: 'consentProof.limitationDays',
    minimumDays: 365,
    maximumDays: 3650,
    defaultDays: 1095,
  }
  assert.deepEqual(retentionBoundsDisagreements(mapStating(events, proof), settings), [])

  const longer = retentionBoundsDisagreements(
    mapStating({ ...events, maximumDays: 7300 }, proof),
    settings,
  )
  assert.equal(longer.length, 1)
  assert.match(longer[0]!, /maximum for retentionDays\.events is 7300 days, the setting's is 3650/)

  const unknown = retentionBoundsDisagreements(
    mapStating(events, proof, { ...events, setting: 'retentionDays.nothing' }),
    settings,
  )
  assert.deepEqual(unknown, ['category-2: no workspace setting retentionDays.nothing'])

  const unstated = retentionBoundsDisagreements(mapStating(proof), settings)
  assert.deepEqual(unstated, ['no category states the bounds of retentionDays.events'])

  const inverted = retentionBoundsDisagreements(
    mapStating({ ...events, defaultDays: 5000 }, proof),
    settings,
  )
  assert.ok(inverted.some((line) => line.includes('not within its own bounds')))
})

test('start-up stops, naming the file, when the two disagree', () => {
  const events = {
    setting: 'retentionDays.events',
    minimumDays: 30,
    maximumDays: 3650,
    defaultDays: 395,
  }
  assert.throws(
    () => assertRetentionBounds(mapStating(events), settings, 'the-map.yaml'),
    /the-map\.yaml and the workspace settings disagree on retention: .*minimum for retentionDays\.events is 30 days/,
  )
})
