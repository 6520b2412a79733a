import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { parse } from 'yaml'
import { lawfulBases, type LawfulBasis } from '../../consent/index.js'
import { type SubjectRight, subjectRights } from '../shared/rights.logic.js'

/** The languages the privacy notice is served in; English first, the fallback. */
export const noticeLanguages = ['en', 'de'] as const
export type NoticeLanguage = (typeof noticeLanguages)[number]

export const translationsPath = fileURLToPath(
  new URL('../../../src/governance/notice/translations.yaml', import.meta.url),
)

const InEvery = Type.Object(
  Object.fromEntries(noticeLanguages.map((language) => [language, Type.String({ minLength: 1 })])),
  { additionalProperties: false },
)
const Translated = Type.Object(
  Object.fromEntries(
    noticeLanguages
      .filter((language) => language !== 'en')
      .map((language) => [language, Type.String({ minLength: 1 })]),
  ),
  { additionalProperties: false },
)

export const phraseKeys = [
  'title',
  'intro',
  'controllerHeading',
  'address',
  'email',
  'phone',
  'dpoHeading',
  'representativeHeading',
  'categoriesHeading',
  'dataSubjects',
  'purposes',
  'lawfulBases',
  'legitimateInterests',
  'specialCategory',
  'recipients',
  'processors',
  'transfers',
  'noTransfers',
  'retention',
  'source',
  'requirement',
  'consentPurposesHeading',
  'automatedHeading',
  'noAutomated',
  'automatedText',
  'rightsHeading',
  'exercise',
  'withdrawHeading',
  'withdrawText',
  'complaintHeading',
  'complaintText',
  'untranslated',
  'otherLanguages',
] as const
export type PhraseKey = (typeof phraseKeys)[number]

const TableSchema = Type.Object(
  {
    languages: InEvery,
    phrases: Type.Object(Object.fromEntries(phraseKeys.map((key) => [key, InEvery])), {
      additionalProperties: false,
    }),
    lawfulBases: Type.Object(Object.fromEntries(lawfulBases.map((basis) => [basis, InEvery])), {
      additionalProperties: false,
    }),
    rights: Type.Object(Object.fromEntries(subjectRights.map((right) => [right, InEvery])), {
      additionalProperties: false,
    }),
    texts: Type.Record(Type.String({ minLength: 1 }), Translated),
  },
  { additionalProperties: false },
)

export interface TranslationTable {
  languages: Record<NoticeLanguage, string>
  phrases: Record<PhraseKey, Record<NoticeLanguage, string>>
  lawfulBases: Record<LawfulBasis, Record<NoticeLanguage, string>>
  rights: Record<SubjectRight, Record<NoticeLanguage, string>>
  texts: Record<string, Partial<Record<NoticeLanguage, string>>>
}

const validator = Compile(TableSchema)

/** The translation table, read and checked: every phrase, basis and right in every language. */
export function loadTranslations(path = translationsPath): TranslationTable {
  const parsed: unknown = parse(readFileSync(path, 'utf8'))
  if (!validator.Check(parsed)) {
    const first = [...validator.Errors(parsed)][0]
    throw new Error(`The translation table ${path} is not valid at ${first?.instancePath || '/'}`)
  }
  return parsed as unknown as TranslationTable
}

/** Words in one language, recording every text it had to leave in English. */
export interface Translator {
  readonly language: NoticeLanguage
  readonly phrase: (key: PhraseKey, values?: Readonly<Record<string, string>>) => string
  readonly basis: (basis: LawfulBasis) => string
  readonly right: (right: SubjectRight) => string
  /** A text of the data map or a purpose, translated, or in English when none is recorded. */
  readonly text: (english: string) => string
  /** The article as the language cites it: `Art. 6(1)(a)` is `Art. 6 Abs. 1 lit. a DSGVO`. */
  readonly article: (reference: string) => string
  readonly untranslated: ReadonlySet<string>
}

export function translatorFor(table: TranslationTable, language: NoticeLanguage): Translator {
  const untranslated = new Set<string>()
  return {
    language,
    phrase: (key, values = {}) =>
      table.phrases[key][language].replace(
        /\{(\w+)\}/g,
        (whole, name: string) => values[name] ?? whole,
      ),
    basis: (basis) => table.lawfulBases[basis][language],
    right: (right) => table.rights[right][language],
    text: (english) => {
      if (language === 'en') return english
      const translated = table.texts[english]?.[language]
      if (translated !== undefined) return translated
      untranslated.add(english)
      return english
    },
    article: (reference) => (language === 'de' ? germanCitation(reference) : reference),
    untranslated,
  }
}

/** `Art. 6(1)(a)` → `Art. 6 Abs. 1 lit. a DSGVO`, as German legal texts cite the GDPR. */
function germanCitation(reference: string): string {
  const match = /^Art\. (\d+)(?:\((\d+)\))?(?:\(([a-z])\))?$/.exec(reference)
  if (match === null) return reference
  const [, article, paragraph, point] = match
  return `Art. ${article}${paragraph ? ` Abs. ${paragraph}` : ''}${point ? ` lit. ${point}` : ''} DSGVO`
}

/** The language to answer in: the one asked for, else the first the client accepts, else English. */
export function chooseLanguage(
  asked: string | undefined,
  acceptLanguage: string | undefined,
): NoticeLanguage {
  const known = (value: string | undefined) =>
    noticeLanguages.find((language) => language === value?.trim().toLowerCase().slice(0, 2))
  const fromQuery = known(asked)
  if (fromQuery !== undefined) return fromQuery
  for (const range of (acceptLanguage ?? '').split(',')) {
    const language = known(range.split(';')[0])
    if (language !== undefined) return language
  }
  return 'en'
}
