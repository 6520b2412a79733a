import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadDataMap } from '../data-map/load-data-map.js'
import { chooseLanguage, loadTranslations, noticeLanguages, translatorFor } from './translations.js'

const table = loadTranslations()
const map = loadDataMap()

/** Every text of the shipped data map a notice shows. */
function mapTexts(): string[] {
  return Object.values(map.categories).flatMap((category) => [
    category.label,
    category.description,
    category.retention,
    category.source,
    category.requirement,
    ...(category.legitimateInterests === undefined ? [] : [category.legitimateInterests]),
    ...(category.specialCategoryCondition === undefined ? [] : [category.specialCategoryCondition]),
    ...category.dataSubjects,
    ...category.purposes,
    ...category.recipients,
  ])
}

describe('the notice translation table', () => {
  test("every text of the instance's data map has its translation in every language", () => {
    for (const language of noticeLanguages.filter((code) => code !== 'en')) {
      const words = translatorFor(table, language)
      for (const text of mapTexts()) words.text(text)
      assert.deepEqual([...words.untranslated], [], `untranslated into ${language}`)
    }
  })

  test('a text with no translation falls back to English and is reported', () => {
    const words = translatorFor(table, 'de')
    assert.equal(words.text('Browsing data'), 'Nutzungsdaten')
    assert.equal(words.text('Loyalty points'), 'Loyalty points')
    assert.deepEqual([...words.untranslated], ['Loyalty points'])
  })

  test('phrases fill their placeholders; articles are cited as each language cites them', () => {
    const german = translatorFor(table, 'de')
    assert.match(
      german.phrase('exercise', { email: 'dpo@example.com' }),
      /schreiben Sie an dpo@example\.com/,
    )
    assert.equal(german.article('Art. 6(1)(a)'), 'Art. 6 Abs. 1 lit. a DSGVO')
    assert.equal(german.article('Art. 77'), 'Art. 77 DSGVO')
    assert.equal(translatorFor(table, 'en').article('Art. 6(1)(f)'), 'Art. 6(1)(f)')
  })

  test('the language is the one asked for, else the first accepted, else English', () => {
    assert.equal(chooseLanguage('de', 'en'), 'de')
    assert.equal(chooseLanguage(undefined, 'fr-CH, de-DE;q=0.8, en;q=0.5'), 'de')
    assert.equal(chooseLanguage(undefined, 'fr'), 'en')
    assert.equal(chooseLanguage(undefined, undefined), 'en')
  })
})
