import {
  type AllowReason,
  decide,
  type DenyReason,
  isChild,
  type LawfulBasis,
  noFlags,
  type SubjectFlags,
} from './consent.logic.js'
import type { Standing, StoredPurposeState } from './ledger.logic.js'
import { type Purpose, ruleOf } from './purposes.logic.js'

/** One purpose as an end-user or operator sees it: the choice recorded and what it means now. */
export interface PurposeView {
  purpose: string
  lawfulBasis: LawfulBasis
  description: string
  /** true granted, false withdrawn, null never asked or answered. */
  granted: boolean | null
  decidedAt: string | null
  policyVersion: string | null
  objected: boolean
  /** What `mayProcess` would answer now. */
  decision: { allowed: boolean; reason: AllowReason | DenyReason }
}

export interface SubjectFlagsView {
  restricted: boolean
  automatedDecisionsOptedOut: boolean
  globalPrivacyControl: boolean
  /** Below the workspace's age of digital consent, by the age declared. */
  child: boolean
  parentalConsentVerified: boolean
}

export function purposeViewOf(
  purpose: Purpose,
  standing: Standing | null,
  ageOfDigitalConsent: number,
  now: Date,
): PurposeView {
  const state: StoredPurposeState | undefined = standing?.purposes.get(purpose.name)
  const decision = decide({
    purpose: ruleOf(purpose),
    subject: standing?.flags ?? null,
    state: state ?? null,
    ageOfDigitalConsent,
    now,
  })
  return {
    purpose: purpose.name,
    lawfulBasis: purpose.lawfulBasis,
    description: purpose.description,
    granted: state?.granted ?? null,
    decidedAt: state?.decidedAt ?? null,
    policyVersion: state?.policyVersion ?? null,
    objected: (state?.objectedAt ?? null) !== null,
    decision: { allowed: decision.allowed, reason: decision.reason },
  }
}

export function flagsViewOf(
  flags: SubjectFlags | null,
  ageOfDigitalConsent: number,
  now: Date,
): SubjectFlagsView {
  const subject = flags ?? noFlags
  return {
    restricted: subject.restrictedAt !== null,
    automatedDecisionsOptedOut: subject.automatedOptOutAt !== null,
    globalPrivacyControl: subject.gpcAt !== null,
    child: isChild(subject, ageOfDigitalConsent, now),
    parentalConsentVerified: subject.parentalConsentAt !== null,
  }
}
