import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { AppError } from '../errors.js'
import { composeSettings } from './compose-settings.js'
import {
  defineSettingsFragment,
  retentionPeriods,
  type SettingsDocument,
  type SettingsOf,
} from './settings-fragment.js'

// Two modules that do not exist, so the composition is tested apart from today's.
const billing = defineSettingsFragment('billing', {
  currency: Type.Union([Type.Literal('EUR'), Type.Literal('CHF')], { default: 'EUR' }),
  invoices: Type.Object(
    {
      dueDays: Type.Integer({ minimum: 1, maximum: 90, default: 30 }),
      reminders: Type.Boolean({ default: false }),
    },
    { default: {}, additionalProperties: false },
  ),
  retentionDays: retentionPeriods({
    invoices: Type.Integer({ minimum: 1, maximum: 3650, default: 3650 }),
  }),
})

const chat = defineSettingsFragment('chat', {
  greeting: Type.String({ maxLength: 200, default: 'Hello' }),
  retentionDays: retentionPeriods({
    transcripts: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  }),
})

describe('composing settings from fragments', () => {
  test("the composed schema holds every fragment's fields, and the retention periods of all", () => {
    const composed = composeSettings([billing, chat])
    assert.deepEqual(composed.modules, ['billing', 'chat'])
    assert.deepEqual(Object.keys(composed.schema.properties).sort(), [
      'currency',
      'greeting',
      'invoices',
      'retentionDays',
    ])
    assert.deepEqual(
      composed.defaults(),
      {
        currency: 'EUR',
        invoices: { dueDays: 30, reminders: false },
        retentionDays: { invoices: 3650, transcripts: 30 },
        greeting: 'Hello',
      },
      'every default, nested and merged',
    )
  })

  test('a fragment left out takes its fields, and its retention periods, with it', () => {
    const composed = composeSettings([billing])
    assert.deepEqual(Object.keys(composed.schema.properties).sort(), [
      'currency',
      'invoices',
      'retentionDays',
    ])
    assert.deepEqual(composed.defaults().retentionDays, { invoices: 3650 })
    assert.equal(composeSettings([chat]).schema.properties.currency, undefined)
    assert.deepEqual(Object.keys(composeSettings([]).schema.properties), [])
  })

  test('a field two modules declare is refused at composition', () => {
    const rival = defineSettingsFragment('rival', { greeting: Type.String() })
    assert.throws(
      () => composeSettings([chat, rival]),
      /Workspace setting greeting is declared by both chat and rival/,
    )
  })

  test('a retention period two modules declare is refused at composition', () => {
    const rival = defineSettingsFragment('rival', {
      retentionDays: retentionPeriods({ transcripts: Type.Integer({ default: 1 }) }),
    })
    assert.throws(
      () => composeSettings([chat, rival]),
      /retentionDays\.transcripts is declared by both chat and rival/,
    )
  })

  test('a module listed twice, or a retention group not made of periods, is refused', () => {
    assert.throws(() => composeSettings([chat, chat]), /settings of chat are listed twice/)
    const odd = defineSettingsFragment('odd', { retentionDays: Type.Integer() })
    assert.throws(
      () => composeSettings([odd]),
      /odd's retentionDays must be made by retentionPeriods/,
    )
  })

  test('an old stored document reads with the defaults of what was added since', () => {
    const composed = composeSettings([billing, chat])
    const stored = {
      currency: 'CHF',
      invoices: { reminders: true },
      retentionDays: { invoices: 9 },
    }
    assert.deepEqual(composed.read(stored), {
      currency: 'CHF',
      invoices: { dueDays: 30, reminders: true },
      retentionDays: { invoices: 9, transcripts: 30 },
      greeting: 'Hello',
    })
    assert.deepEqual(stored.invoices, { reminders: true }, 'the stored document is not changed')
  })

  test('a field no fragment declares any more is dropped when read, not a failure', () => {
    const stored = composeSettings([billing, chat]).defaults()
    const read = composeSettings([billing]).read(stored)
    assert.equal(read.greeting, undefined)
    assert.deepEqual(read.retentionDays, { invoices: 3650 })
  })

  test('a patch changes only what it names, groups field by field', () => {
    const composed = composeSettings([billing, chat])
    const current = composed.read({ currency: 'CHF', retentionDays: { transcripts: 7 } })
    const patched = composed.applyPatch(current, {
      invoices: { dueDays: 14 },
      retentionDays: { invoices: 400 },
    })
    assert.deepEqual(patched, {
      currency: 'CHF',
      invoices: { dueDays: 14, reminders: false },
      retentionDays: { invoices: 400, transcripts: 7 },
      greeting: 'Hello',
    })
  })

  test('a patch with an unknown field or a value out of bounds is refused whole', () => {
    const composed = composeSettings([billing, chat])
    const current = composed.defaults()
    for (const patch of [
      { colour: 'red' },
      { invoices: { dueDays: 14, late: true } },
      { retentionDays: { transcripts: 0 } },
      { currency: 'USD' },
      { greeting: 'x'.repeat(201) },
    ]) {
      assert.throws(
        () => composed.applyPatch(current, patch),
        (error) => error instanceof AppError && error.code === 'invalid_request',
        JSON.stringify(patch),
      )
    }
  })

  test('the patch schema has no defaults, so a validator that fills them in resets nothing', () => {
    const composed = composeSettings([billing, chat])
    assert.doesNotMatch(JSON.stringify(composed.patchSchema), /"default"/)
    assert.match(JSON.stringify(composed.schema), /"default"/)
    // Every field is optional at every level: a patch names one field and nothing else.
    assert.ok(Value.Check(composed.patchSchema, { invoices: { dueDays: 2 } }))
    assert.ok(Value.Check(composed.patchSchema, {}))
    assert.ok(!Value.Check(composed.patchSchema, { invoices: { dueDays: 2, late: 1 } }))
  })
})

describe("a module's own fragment", () => {
  const stored: SettingsDocument = {
    ...composeSettings([billing, chat]).defaults(),
    currency: 'CHF',
    // Another module's field, broken: it is not this module's to read or refuse.
    greeting: 42,
  }

  test('reads its own fields with their defaults and nothing of other modules', () => {
    const settings: SettingsOf<typeof billing> = billing.read(stored)
    assert.deepEqual(settings, {
      currency: 'CHF',
      invoices: { dueDays: 30, reminders: false },
      retentionDays: { invoices: 3650 },
    })
    assert.deepEqual(billing.read({}).invoices, { dueDays: 30, reminders: false })
    // @ts-expect-error: the billing module's type has no other module's field
    assert.equal(settings.greeting, undefined)
  })

  test('refuses its own field when stored broken', () => {
    assert.throws(() => chat.read(stored))
  })
})
