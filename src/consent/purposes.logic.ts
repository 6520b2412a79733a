import { isLawfulBasis, type LawfulBasis, type PurposeRule } from './consent.logic.js'
import type { ConsentPurposesTable } from './consent.table.js'

/**
 * A workspace's purposes: what its processing is for, on which lawful basis. The
 * built-in ones exist in every workspace without a row; a row is written once a
 * workspace changes one or adds its own, so a new workspace has a complete catalogue
 * from its first second without anything being seeded into it.
 */
export interface Purpose {
  name: string
  lawfulBasis: LawfulBasis
  /** Shown to end-users where they choose (Art. 7(2): clear and plain language). */
  description: string
  dataCategories: string[]
  directMarketing: boolean
  automatedDecisions: boolean
  minPolicySeq: number
  builtIn: boolean
  updatedAt: string | null
}

type Default = Omit<Purpose, 'builtIn' | 'updatedAt' | 'minPolicySeq'>

// The first seed: data is processed on consent, and e-mails collected for support must
// not be reused for marketing without asking. Only support (answering the person who
// wrote in) rests on the contract; everything else waits for a yes.
const defaults: readonly Default[] = [
  {
    name: 'support',
    lawfulBasis: 'contract',
    description: 'Answering your questions and requests in the chat and by email.',
    dataCategories: ['contact', 'conversations'],
    directMarketing: false,
    automatedDecisions: false,
  },
  {
    name: 'analytics',
    lawfulBasis: 'consent',
    description:
      'Measuring how this site is used (pages, referrer, device, approximate location) to improve it.',
    dataCategories: ['browsing', 'device', 'approximate-location'],
    directMarketing: false,
    automatedDecisions: false,
  },
  {
    name: 'marketing',
    lawfulBasis: 'consent',
    description: 'Sending you news and offers by email or in the app.',
    dataCategories: ['contact', 'browsing'],
    directMarketing: true,
    automatedDecisions: false,
  },
  {
    name: 'enrichment',
    lawfulBasis: 'consent',
    description:
      'Completing your profile (name, company, avatar) from information you made public elsewhere.',
    dataCategories: ['contact', 'public-profile'],
    directMarketing: false,
    automatedDecisions: true,
  },
  {
    name: 'profiling',
    lawfulBasis: 'consent',
    description: 'Grouping you into segments from your activity to tailor what we show you.',
    dataCategories: ['browsing', 'contact', 'segments'],
    directMarketing: true,
    automatedDecisions: true,
  },
]

export const builtInPurposeNames: readonly string[] = defaults.map((purpose) => purpose.name)

export const purposeNamePattern = '^[a-z][a-z0-9_-]{0,63}$'
export const dataCategoryPattern = '^[a-z][a-z0-9-]{0,39}$'

export function builtInPurpose(name: string): Purpose | undefined {
  const found = defaults.find((purpose) => purpose.name === name)
  return found === undefined
    ? undefined
    : {
        ...found,
        dataCategories: [...found.dataCategories],
        minPolicySeq: 0,
        builtIn: true,
        updatedAt: null,
      }
}

export function purposeFromRow(row: ConsentPurposesTable): Purpose {
  return {
    name: row.name,
    // Written only through `purposeToRow` from a checked LawfulBasis.
    lawfulBasis: row.lawful_basis as LawfulBasis,
    description: row.description,
    dataCategories: parseStringArray(row.data_categories),
    directMarketing: row.direct_marketing === 1,
    automatedDecisions: row.automated_decisions === 1,
    minPolicySeq: row.min_policy_seq,
    builtIn: builtInPurposeNames.includes(row.name),
    updatedAt: row.updated_at,
  }
}

export function purposeToRow(
  workspaceId: string,
  purpose: Purpose,
  createdAt: string,
  updatedAt: string,
): ConsentPurposesTable {
  return {
    workspace_id: workspaceId,
    name: purpose.name,
    lawful_basis: purpose.lawfulBasis,
    description: purpose.description,
    data_categories: JSON.stringify(purpose.dataCategories),
    direct_marketing: purpose.directMarketing ? 1 : 0,
    automated_decisions: purpose.automatedDecisions ? 1 : 0,
    min_policy_seq: purpose.minPolicySeq,
    created_at: createdAt,
    updated_at: updatedAt,
  }
}

/** The stored purpose, else the built-in one of that name, else none. */
export function resolvePurpose(
  name: string,
  stored: ConsentPurposesTable | undefined,
): Purpose | undefined {
  return stored === undefined ? builtInPurpose(name) : purposeFromRow(stored)
}

/** The whole catalogue: built-ins (as changed) first, in their order, then the workspace's own. */
export function catalogueOf(stored: readonly ConsentPurposesTable[]): Purpose[] {
  const byName = new Map(stored.map((row) => [row.name, row]))
  const builtIns = builtInPurposeNames.flatMap((name) => {
    const purpose = resolvePurpose(name, byName.get(name))
    return purpose === undefined ? [] : [purpose]
  })
  const own = stored
    .filter((row) => !builtInPurposeNames.includes(row.name))
    .map(purposeFromRow)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
  return [...builtIns, ...own]
}

export function ruleOf(purpose: Purpose): PurposeRule {
  return {
    name: purpose.name,
    lawfulBasis: purpose.lawfulBasis,
    directMarketing: purpose.directMarketing,
    automatedDecisions: purpose.automatedDecisions,
    minPolicySeq: purpose.minPolicySeq,
  }
}

export function parseStringArray(text: string): string[] {
  return stringArrayOf(JSON.parse(text))
}

function stringArrayOf(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error('Expected a JSON array of strings')
  }
  return value
}

/**
 * What a person is shown of a purpose when they choose, and what a receipt of that
 * choice repeats: the purpose without its operational fields (the policy floor, when it
 * was last changed), which do not change what was agreed to.
 */
export type PurposeTerms = Pick<
  Purpose,
  | 'name'
  | 'lawfulBasis'
  | 'description'
  | 'dataCategories'
  | 'directMarketing'
  | 'automatedDecisions'
>

/** The terms alone, their keys always in this order (purposeTermsText relies on it). */
export function purposeTermsOf(purpose: PurposeTerms): PurposeTerms {
  return {
    name: purpose.name,
    lawfulBasis: purpose.lawfulBasis,
    description: purpose.description,
    dataCategories: [...purpose.dataCategories],
    directMarketing: purpose.directMarketing,
    automatedDecisions: purpose.automatedDecisions,
  }
}

/**
 * The terms as canonical JSON: its keys in one fixed order, so the same terms always
 * give the same text, and the text's SHA-256 names them (consent_purpose_terms).
 */
export function purposeTermsText(terms: PurposeTerms): string {
  return JSON.stringify(purposeTermsOf(terms))
}

/** Terms read back from their stored text; an error for anything else. */
export function purposeTermsFromText(text: string): PurposeTerms {
  const value: unknown = JSON.parse(text)
  if (typeof value !== 'object' || value === null)
    throw new Error('Purpose terms are not an object')
  const fields = value as Record<string, unknown>
  const { name, lawfulBasis, description, directMarketing, automatedDecisions } = fields
  if (
    typeof name !== 'string' ||
    typeof lawfulBasis !== 'string' ||
    !isLawfulBasis(lawfulBasis) ||
    typeof description !== 'string' ||
    typeof directMarketing !== 'boolean' ||
    typeof automatedDecisions !== 'boolean'
  ) {
    throw new Error('Purpose terms are malformed')
  }
  return {
    name,
    lawfulBasis,
    description,
    dataCategories: stringArrayOf(fields.dataCategories),
    directMarketing,
    automatedDecisions,
  }
}
