import { ageNow, type PurposeState, type SubjectFlags } from './consent.logic.js'
import type { PurposeTerms } from './purposes.logic.js'

/**
 * The ledger's vocabulary and how each entry changes the materialised state. Pure:
 * `applyEntry` is the one reducer, so the state kept beside the ledger is, by
 * construction, the fold of its history (and a test checks exactly that).
 */
export const ledgerActions = [
  'granted',
  'withdrawn',
  'objected',
  'objection_withdrawn',
  'restricted',
  'restriction_lifted',
  'automated_opted_out',
  'automated_opted_in',
  'gpc_on',
  'gpc_off',
  'age_declared',
  'parental_verified',
  'parental_withdrawn',
  'linked',
] as const
export type LedgerAction = (typeof ledgerActions)[number]

/** Actions about one purpose; the others concern the subject as a whole. */
export const purposeActions: ReadonlySet<LedgerAction> = new Set<LedgerAction>([
  'granted',
  'withdrawn',
  'objected',
  'objection_withdrawn',
])

/** Where a ledger entry came from: the proof says who asked and through which door. */
export const consentSources = ['sdk', 'api', 'portal', 'operator'] as const
export type ConsentSource = (typeof consentSources)[number]

export interface PolicyRef {
  id: string
  seq: number
  version: string
}

/** An entry to append, before it has an id, a sequence number and sealed proof. */
export interface LedgerEntry {
  action: LedgerAction
  purpose: string | null
  policy: PolicyRef | null
  /** The request carried a Global Privacy Control signal. */
  gpc: boolean
  /** Extra proof that is personal data (an age declaration, a verification): sealed. */
  evidence: EvidenceValue | null
  /** Whole years, for `age_declared`: the part of the declaration kept in clear. */
  declaredAge?: number
  /**
   * For a grant, withdrawal or objection: the purpose's terms as the plan that chose this
   * entry read them. Its receipt repeats them, so they must be those it was decided on,
   * not a later read that a concurrent change of the purpose could slip in before.
   */
  terms?: PurposeTerms
}

export type EvidenceValue = Readonly<Record<string, string | number | boolean | null>>

/** A purpose's state with what the ledger needs to keep beside the decision fields. */
export interface StoredPurposeState extends PurposeState {
  purpose: string
  policyId: string | null
  policyVersion: string | null
  lastEventId: string
}

/** A subject's materialised state: flags and one state per purpose it ever touched. */
export interface Standing {
  flags: SubjectFlags
  purposes: ReadonlyMap<string, StoredPurposeState>
}

export function grantedOf(action: LedgerAction): boolean | null {
  if (action === 'granted') return true
  if (action === 'withdrawn') return false
  return null
}

/** The state after one entry, recorded at `at` with id `eventId`. */
export function applyEntry(
  standing: Standing,
  entry: LedgerEntry,
  at: string,
  eventId: string,
): Standing {
  if (purposeActions.has(entry.action)) {
    if (entry.purpose === null) throw new Error(`A ${entry.action} entry needs a purpose`)
    const purposes = new Map(standing.purposes)
    purposes.set(entry.purpose, applyToPurpose(purposes.get(entry.purpose), entry, at, eventId))
    return { flags: standing.flags, purposes }
  }
  return { flags: applyToFlags(standing.flags, entry, at), purposes: standing.purposes }
}

function applyToPurpose(
  current: StoredPurposeState | undefined,
  entry: LedgerEntry,
  at: string,
  eventId: string,
): StoredPurposeState {
  const base: StoredPurposeState = current ?? {
    purpose: entry.purpose ?? '',
    granted: null,
    decidedAt: null,
    policySeq: null,
    policyId: null,
    policyVersion: null,
    objectedAt: null,
    lastEventId: eventId,
  }
  const next = { ...base, lastEventId: eventId }
  switch (entry.action) {
    case 'granted':
    case 'withdrawn':
      return {
        ...next,
        granted: entry.action === 'granted',
        decidedAt: at,
        policySeq: entry.policy?.seq ?? 0,
        policyId: entry.policy?.id ?? null,
        policyVersion: entry.policy?.version ?? null,
      }
    case 'objected':
      // The first objection holds: repeating it must not move it after a later grant.
      return { ...next, objectedAt: base.objectedAt ?? at }
    case 'objection_withdrawn':
      return { ...next, objectedAt: null }
    default:
      throw new Error(`${entry.action} is not a purpose action`)
  }
}

function applyToFlags(flags: SubjectFlags, entry: LedgerEntry, at: string): SubjectFlags {
  switch (entry.action) {
    case 'restricted':
      return { ...flags, restrictedAt: flags.restrictedAt ?? at }
    case 'restriction_lifted':
      return { ...flags, restrictedAt: null }
    case 'automated_opted_out':
      return { ...flags, automatedOptOutAt: flags.automatedOptOutAt ?? at }
    case 'automated_opted_in':
      return { ...flags, automatedOptOutAt: null }
    case 'gpc_on':
      return { ...flags, gpcAt: flags.gpcAt ?? at }
    case 'gpc_off':
      return { ...flags, gpcAt: null }
    case 'age_declared':
      if (entry.declaredAge === undefined) throw new Error('An age declaration needs the age')
      return { ...flags, declaredAge: entry.declaredAge, ageDeclaredAt: at }
    case 'parental_verified':
      return { ...flags, parentalConsentAt: flags.parentalConsentAt ?? at }
    case 'parental_withdrawn':
      return { ...flags, parentalConsentAt: null }
    case 'linked':
      return flags
    default:
      throw new Error(`${entry.action} is not a subject action`)
  }
}

/**
 * One standing for two records of the same person being linked (identify). Per
 * purpose the later decision wins (a withdrawal on a tie); every objection, restriction,
 * opt-out and GPC signal of either holds; the younger declared age holds. When in doubt
 * the result protects the person more, never less.
 */
export function mergeStandings(keep: Standing, absorbed: Standing, now: Date): Standing {
  const purposes = new Map(keep.purposes)
  for (const [name, theirs] of absorbed.purposes) {
    const ours = purposes.get(name)
    purposes.set(name, ours === undefined ? theirs : mergePurpose(ours, theirs))
  }
  return { flags: mergeFlags(keep.flags, absorbed.flags, now), purposes }
}

function mergePurpose(ours: StoredPurposeState, theirs: StoredPurposeState): StoredPurposeState {
  const decision = laterDecision(ours, theirs)
  return {
    ...decision,
    purpose: ours.purpose,
    objectedAt: earliest(ours.objectedAt, theirs.objectedAt),
    lastEventId: ours.lastEventId,
  }
}

function laterDecision(a: StoredPurposeState, b: StoredPurposeState): StoredPurposeState {
  if (a.decidedAt === null) return b
  if (b.decidedAt === null) return a
  if (a.decidedAt !== b.decidedAt) return a.decidedAt > b.decidedAt ? a : b
  return a.granted === false ? a : b
}

function mergeFlags(a: SubjectFlags, b: SubjectFlags, now: Date): SubjectFlags {
  const younger = youngerDeclaration(a, b, now)
  return {
    restrictedAt: earliest(a.restrictedAt, b.restrictedAt),
    automatedOptOutAt: earliest(a.automatedOptOutAt, b.automatedOptOutAt),
    gpcAt: earliest(a.gpcAt, b.gpcAt),
    declaredAge: younger.declaredAge,
    ageDeclaredAt: younger.ageDeclaredAt,
    // Verified for this person under either record: it was the same child.
    parentalConsentAt: earliest(a.parentalConsentAt, b.parentalConsentAt),
  }
}

function youngerDeclaration(a: SubjectFlags, b: SubjectFlags, now: Date): SubjectFlags {
  if (a.declaredAge === null || a.ageDeclaredAt === null) return b
  if (b.declaredAge === null || b.ageDeclaredAt === null) return a
  const ageA = ageNow(a.declaredAge, new Date(a.ageDeclaredAt), now)
  const ageB = ageNow(b.declaredAge, new Date(b.ageDeclaredAt), now)
  return ageB < ageA ? b : a
}

function earliest(a: string | null, b: string | null): string | null {
  if (a === null) return b
  if (b === null) return a
  return a < b ? a : b
}
