import type { CountryCode } from 'libphonenumber-js/max'
import { detectCards } from './detectors/cards.logic.js'
import { detectEmails, detectPhones } from './detectors/contact-points.logic.js'
import { detectHealthHints } from './detectors/health.logic.js'
import { detectIbans } from './detectors/iban.logic.js'
import { detectNationalIds } from './detectors/national-ids.logic.js'
import { detectUsSsns } from './detectors/us-ssn.logic.js'

/**
 * Sensitive-data detection: the one pure function every message and the
 * `custodian detect` command run. Each kind is validated, not only matched (Luhn and
 * issuer ranges for cards, mod 97 for IBANs, the SSA's never-issued rules for SSNs,
 * check digits and dates for national ids, libphonenumber for phones), then scored by
 * the words around it. A finding says what and where, never the value: it is safe to
 * log, store, audit and return.
 */
export const findingKinds = [
  'card',
  'iban',
  'us_ssn',
  'national_id',
  'health',
  'email',
  'phone',
] as const
export type FindingKind = (typeof findingKinds)[number]

/** What one detector proposes, before overlaps are resolved. */
export interface Candidate {
  readonly kind: FindingKind
  /** The card network, the IBAN's country, the national id's scheme, the health category. */
  readonly scheme?: string
  /** Offsets in UTF-16 code units, as JavaScript's `String#slice` takes them. */
  readonly start: number
  readonly end: number
  readonly confidence: number
}

export interface Finding extends Candidate {
  /** Between 0.05 and 0.99, two decimals. */
  readonly confidence: number
}

/** Severity, most harmful first: an overlap keeps the more harmful reading when as likely. */
const severity: Readonly<Record<FindingKind, number>> = {
  card: 0,
  iban: 1,
  us_ssn: 2,
  national_id: 3,
  health: 4,
  phone: 5,
  email: 6,
}

/** The confidence from which a finding is flagged unless a workspace sets its own. */
export const defaultDetectionThreshold = 0.5

/** Findings below this are not kept at all: they are a pattern, not a finding. */
export const minimumConfidence = 0.2

export interface DetectOptions {
  /** Keep findings from this confidence on; `minimumConfidence` when absent. */
  readonly threshold?: number
  /** Region national phone numbers are read in (ISO 3166-1 alpha-2). */
  readonly phoneRegion?: CountryCode
}

/**
 * Every finding of the text from the threshold up, ordered by position. Where two
 * readings overlap (eleven digits that are a PESEL or a German tax id, a phone number
 * inside a card number) the more likely is kept, and of two as likely the more harmful.
 *
 * @example
 *   detectSensitiveData('My card is 4111 1111 1111 1111')
 *   // [{ kind: 'card', scheme: 'visa', start: 11, end: 30, confidence: 0.95 }]
 */
export function detectSensitiveData(text: string, options: DetectOptions = {}): Finding[] {
  const threshold = options.threshold ?? minimumConfidence
  const candidates = [
    ...detectCards(text),
    ...detectIbans(text),
    ...detectUsSsns(text),
    ...detectNationalIds(text),
    ...detectHealthHints(text),
    ...detectEmails(text),
    ...detectPhones(text, options.phoneRegion),
  ].map((candidate) => ({ ...candidate, confidence: rounded(candidate.confidence) }))
  return withoutOverlaps(
    candidates.filter((candidate) => candidate.confidence >= minimumConfidence),
  )
    .filter((finding) => finding.confidence >= threshold)
    .sort((a, b) => a.start - b.start || a.end - b.end)
}

function rounded(confidence: number): number {
  return Math.round(Math.min(0.99, Math.max(0.05, confidence)) * 100) / 100
}

function withoutOverlaps(candidates: Candidate[]): Finding[] {
  const ranked = [...candidates].sort(
    (a, b) =>
      b.confidence - a.confidence ||
      severity[a.kind] - severity[b.kind] ||
      b.end - b.start - (a.end - a.start),
  )
  const kept: Finding[] = []
  for (const candidate of ranked) {
    const overlaps = kept.some(
      (finding) => candidate.start < finding.end && finding.start < candidate.end,
    )
    if (!overlaps) kept.push(candidate)
  }
  return kept
}

/** Whether a finding is flagged under a workspace's threshold. */
export function isFlagged(finding: Pick<Finding, 'confidence'>, threshold: number): boolean {
  return finding.confidence >= threshold
}
