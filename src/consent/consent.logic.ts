/**
 * The consent decision: may purpose P process subject S now? Pure: no I/O, no clock of
 * its own. Every processing step (tracking, enrichment, marketing export, profiling)
 * asks it through `mayProcess`, which reads the materialised state and calls `decide`.
 */

/** The six lawful bases of Art. 6(1)(a)–(f). */
export const lawfulBases = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
] as const
export type LawfulBasis = (typeof lawfulBases)[number]

export const lawfulBasisArticle: Readonly<Record<LawfulBasis, string>> = Object.freeze({
  consent: 'Art. 6(1)(a)',
  contract: 'Art. 6(1)(b)',
  'legal-obligation': 'Art. 6(1)(c)',
  'vital-interests': 'Art. 6(1)(d)',
  'public-task': 'Art. 6(1)(e)',
  'legitimate-interests': 'Art. 6(1)(f)',
})

export function isLawfulBasis(value: string): value is LawfulBasis {
  return (lawfulBases as readonly string[]).includes(value)
}

/** Why a decision came out as it did; the first that applies, in this order, wins. */
export const denyReasons = [
  'unknown_purpose',
  'restricted',
  'gpc_objection',
  'objected',
  'automated_decision_opt_out',
  'child_without_parental_consent',
  'no_consent',
  'consent_withdrawn',
  'consent_outdated',
] as const
export type DenyReason = (typeof denyReasons)[number]

export const allowReasons = [
  'consent_given',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const
export type AllowReason = (typeof allowReasons)[number]

export type Decision =
  { allowed: true; reason: AllowReason } | { allowed: false; reason: DenyReason }

/** What the catalogue says about a purpose, as far as the decision needs it. */
export interface PurposeRule {
  name: string
  lawfulBasis: LawfulBasis
  /** Direct marketing or profiling for it: an objection always stops it (Art. 21(3)). */
  directMarketing: boolean
  /** Evaluates the person automatically: the Art. 22 opt-out stops it. */
  automatedDecisions: boolean
  /** A consent given under a policy with a lower sequence number no longer counts. */
  minPolicySeq: number
}

/** The subject-wide flags, as the ledger left them; null when the subject is unknown. */
export interface SubjectFlags {
  restrictedAt: string | null
  automatedOptOutAt: string | null
  gpcAt: string | null
  declaredAge: number | null
  ageDeclaredAt: string | null
  parentalConsentAt: string | null
}

/** The latest state of one subject × purpose; null when nothing was ever recorded. */
export interface PurposeState {
  /** true granted, false withdrawn, null never decided. */
  granted: boolean | null
  decidedAt: string | null
  /** The policy the latest decision was made under; 0 when none was published. */
  policySeq: number | null
  objectedAt: string | null
}

export interface DecisionInput {
  purpose: PurposeRule | undefined
  subject: SubjectFlags | null
  state: PurposeState | null
  /** The workspace's age of digital consent (Art. 8(1): 16, or 13–15 by member state). */
  ageOfDigitalConsent: number
  now: Date
}

export const noFlags: SubjectFlags = Object.freeze({
  restrictedAt: null,
  automatedOptOutAt: null,
  gpcAt: null,
  declaredAge: null,
  ageDeclaredAt: null,
  parentalConsentAt: null,
})

const deny = (reason: DenyReason): Decision => ({ allowed: false, reason })

export function decide(input: DecisionInput): Decision {
  const { purpose, state } = input
  if (purpose === undefined) return deny('unknown_purpose')
  const subject = input.subject ?? noFlags
  const consentBased = purpose.lawfulBasis === 'consent'
  // Art. 18(2): a restricted subject's data is only stored, unless they consent to more;
  // a consent given after the restriction began is that consent.
  if (
    subject.restrictedAt !== null &&
    !(consentBased && grantedAfter(state, subject.restrictedAt))
  ) {
    return deny('restricted')
  }
  // Global Privacy Control is an objection to direct marketing and profiling for it,
  // which no lawful basis overrides (Art. 21(3)).
  if (purpose.directMarketing && subject.gpcAt !== null) return deny('gpc_objection')
  if (state?.objectedAt != null && objectionApplies(purpose, state, state.objectedAt)) {
    return deny('objected')
  }
  if (purpose.automatedDecisions && subject.automatedOptOutAt !== null) {
    return deny('automated_decision_opt_out')
  }
  if (purpose.lawfulBasis !== 'consent') {
    return { allowed: true, reason: allowReasonOf(purpose.lawfulBasis) }
  }
  // Art. 8(1): below the age of digital consent, consent counts only when the holder of
  // parental responsibility gave or authorised it.
  if (
    isChild(subject, input.ageOfDigitalConsent, input.now) &&
    subject.parentalConsentAt === null
  ) {
    return deny('child_without_parental_consent')
  }
  if (state?.granted == null) return deny('no_consent')
  if (!state.granted) return deny('consent_withdrawn')
  if ((state.policySeq ?? 0) < purpose.minPolicySeq) return deny('consent_outdated')
  return { allowed: true, reason: 'consent_given' }
}

/**
 * Art. 21: an objection stops direct marketing on any basis (21(2)–(3)), and processing
 * on public task or legitimate interests (21(1)). On consent it works as a withdrawal,
 * so a later grant — the subject's newer, specific choice — supersedes it. Contract,
 * legal obligation and vital interests carry no right to object.
 */
function objectionApplies(purpose: PurposeRule, state: PurposeState, objectedAt: string): boolean {
  if (purpose.directMarketing && purpose.lawfulBasis !== 'consent') return true
  switch (purpose.lawfulBasis) {
    case 'public-task':
    case 'legitimate-interests':
      return true
    case 'consent':
      return !grantedAfter(state, objectedAt)
    case 'contract':
    case 'legal-obligation':
    case 'vital-interests':
      return false
  }
}

function grantedAfter(state: PurposeState | null, moment: string): boolean {
  return state?.granted === true && state.decidedAt !== null && state.decidedAt > moment
}

function allowReasonOf(basis: Exclude<LawfulBasis, 'consent'>): AllowReason {
  switch (basis) {
    case 'contract':
      return 'contract'
    case 'legal-obligation':
      return 'legal_obligation'
    case 'vital-interests':
      return 'vital_interests'
    case 'public-task':
      return 'public_task'
    case 'legitimate-interests':
      return 'legitimate_interests'
  }
}

/** True when a declared age says the subject is still below the age of digital consent. */
export function isChild(subject: SubjectFlags, ageOfDigitalConsent: number, now: Date): boolean {
  if (subject.declaredAge === null || subject.ageDeclaredAt === null) return false
  return ageNow(subject.declaredAge, new Date(subject.ageDeclaredAt), now) < ageOfDigitalConsent
}

/**
 * The least age a subject can have now, given an age declared at a moment: the
 * declared years plus the whole years since. Never more than the true age, so a child
 * is never taken for an adult early (at most a year late).
 */
export function ageNow(declaredAge: number, declaredAt: Date, now: Date): number {
  return declaredAge + wholeYearsBetween(declaredAt, now)
}

/** Whole calendar years from `from` to `to` (UTC); 0 when `to` is earlier. */
export function wholeYearsBetween(from: Date, to: Date): number {
  let years = to.getUTCFullYear() - from.getUTCFullYear()
  const anniversaryPassed =
    to.getUTCMonth() > from.getUTCMonth() ||
    (to.getUTCMonth() === from.getUTCMonth() && to.getUTCDate() >= from.getUTCDate())
  if (!anniversaryPassed) years -= 1
  return Math.max(0, years)
}
