import type { Purpose } from '../../consent/index.js'
import { isInEea, type SubprocessorView } from '../../transfers/index.js'
import type { Controller } from '../../workspaces/index.js'
import type { DataMap, DataMapEntry } from '../data-map/data-map.schema.js'
import { rightArticles, rightsFor } from '../shared/rights.logic.js'
import { lawfulBasisArticle } from '../../consent/index.js'
import { noticeLanguages, type PhraseKey, phraseKeys, type Translator } from './translations.js'
import type { PrivacyNotice } from './notice.schema.js'

export interface NoticeInput {
  readonly workspaceName: string
  readonly controller: Controller
  readonly dataMap: DataMap
  readonly purposes: readonly Purpose[]
  readonly subprocessors: readonly SubprocessorView[]
  readonly generatedAt: string
  /** The notice's address in a language, for the links between its versions. */
  readonly urlOf: (language: string) => string
  readonly languageNames: Readonly<Record<string, string>>
}

// Every phrase is a heading or label of the notice, except these texts, which the notice
// places in its body itself.
const bodyTexts = new Set<PhraseKey>([
  'title',
  'intro',
  'noTransfers',
  'noAutomated',
  'automatedText',
  'exercise',
  'withdrawText',
  'complaintText',
])
const headingKeys: readonly PhraseKey[] = phraseKeys.filter((key) => !bodyTexts.has(key))

/**
 * The privacy notice (Art. 13 and 14) in one language, made from the controller record,
 * the data map, the consent purposes and the sub-processor registry: who the controller
 * and DPO are, every category with its purposes, bases, legitimate interests,
 * recipients, processors, transfers and safeguards, retention, source and whether it is
 * required; the purposes a person can agree to; automated decisions; the rights, how to
 * exercise them, withdrawing consent, and the authority to complain to.
 */
export function buildNotice(input: NoticeInput, words: Translator): PrivacyNotice {
  const { controller } = input
  const automated = input.purposes.filter((purpose) => purpose.automatedDecisions)
  const bases = [...new Set(input.dataMap.categories.flatMap((category) => category.lawfulBases))]
  const rights = rightsFor({
    bases: [...bases, ...input.purposes.map((purpose) => purpose.lawfulBasis)],
    automatedDecisions: automated.length > 0,
    directMarketing: input.purposes.some((purpose) => purpose.directMarketing),
  })
  const notice: PrivacyNotice = {
    noticeVersion: 1,
    language: words.language,
    languages: noticeLanguages.map((code) => ({
      code,
      name: input.languageNames[code] ?? code,
      url: input.urlOf(code),
    })),
    generatedAt: input.generatedAt,
    dataMapVersion: input.dataMap.version,
    title: `${words.phrase('title')}: ${controller.legalName}`,
    intro: words.phrase('intro', {
      controller: controller.legalName,
      date: input.generatedAt.slice(0, 10),
    }),
    controller: {
      legalName: controller.legalName,
      address: controller.address,
      email: controller.email,
      phone: controller.phone,
      representative: controller.representative ?? null,
    },
    dataProtectionOfficer: controller.dpo,
    categories: input.dataMap.categories.map((category) => categoryOf(category, input, words)),
    consentPurposes: input.purposes.map((purpose) => ({
      name: purpose.name,
      description: words.text(purpose.description),
      lawfulBasis: `${words.basis(purpose.lawfulBasis)} (${words.article(lawfulBasisArticle[purpose.lawfulBasis])})`,
      automatedDecisions: purpose.automatedDecisions,
      directMarketing: purpose.directMarketing,
    })),
    automatedDecisions: {
      text: words.phrase(automated.length > 0 ? 'automatedText' : 'noAutomated'),
      purposes: automated.map((purpose) => `${purpose.name}: ${words.text(purpose.description)}`),
    },
    rights: rights.map((right) => ({
      right,
      article: words.article(rightArticles[right]),
      text: words.right(right),
    })),
    exercise: words.phrase('exercise', { email: controller.dpo.email }),
    withdrawConsent: words.phrase('withdrawText'),
    complaint: {
      authority: controller.supervisoryAuthority.name,
      country: controller.supervisoryAuthority.country,
      url: controller.supervisoryAuthority.url,
      text: words.phrase('complaintText', {
        authority: controller.supervisoryAuthority.name,
        url: controller.supervisoryAuthority.url,
      }),
    },
    headings: Object.fromEntries(headingKeys.map((key) => [key, words.phrase(key)])),
    untranslated: [],
  }
  // Read last: every text above has been asked for by now.
  return { ...notice, untranslated: [...words.untranslated] }
}

function categoryOf(
  category: DataMapEntry,
  input: NoticeInput,
  words: Translator,
): PrivacyNotice['categories'][number] {
  const receivers = input.subprocessors.filter(
    (entry) => entry.status === 'active' && entry.dataCategories.includes(category.name),
  )
  return {
    name: category.name,
    label: words.text(category.label),
    description: words.text(category.description),
    dataSubjects: category.dataSubjects.map(words.text),
    purposes: category.purposes.map(words.text),
    lawfulBases: category.lawfulBases.map(
      (basis) => `${words.basis(basis)} (${words.article(lawfulBasisArticle[basis])})`,
    ),
    legitimateInterests:
      category.legitimateInterests === undefined ? null : words.text(category.legitimateInterests),
    specialCategoryCondition:
      category.specialCategoryCondition === undefined
        ? null
        : words.text(category.specialCategoryCondition),
    recipients: category.recipients.map(words.text),
    processors: receivers.map((entry) => `${entry.name} (${entry.country})`),
    transfers: receivers
      .filter((entry) => !isInEea(entry.country))
      .map((entry) => `${entry.name} (${entry.country}): ${safeguardOf(entry)}`),
    retention: words.text(category.retention),
    source: words.text(category.source),
    requirement: words.text(category.requirement),
  }
}

function safeguardOf(entry: SubprocessorView): string {
  const mechanism = entry.transferMechanism
  const measures =
    entry.supplementaryMeasures.length > 0 ? `; ${entry.supplementaryMeasures.join('; ')}` : ''
  switch (mechanism.type) {
    case 'adequacy':
      return `Art. 45 GDPR (adequacy decision)`
    case 'scc':
      return `Art. 46(2)(c) GDPR (standard contractual clauses, module ${mechanism.module})${measures}`
    case 'bcr':
      return `Art. 47 GDPR (binding corporate rules)${measures}`
    case 'none':
      return 'none: nothing is sent'
  }
}
