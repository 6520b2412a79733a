import { adequacyDecisionAt } from './adequacy.js'
import { countriesOfRegion, isInEea } from './regions.js'
import type { SubprocessorFields } from './subprocessors.schemas.js'

/** The outbound paths that send personal data out of the instance. */
export const transferKinds = ['mail', 'backup', 'storage', 'enrichment', 'webhook'] as const
export type TransferKind = (typeof transferKinds)[number]

/**
 * Why a transfer was refused, each tied to the rule it enforces. The codes are stored in
 * audit entries and shown to operators: add codes, never rename one.
 */
export const refusalReasons = {
  unregistered: 'The recipient is not in the sub-processor registry (Art. 28(2))',
  retired: 'The sub-processor is retired and receives nothing more',
  no_dpa: 'No data processing agreement is recorded (Art. 28(3))',
  categories_not_covered:
    'The data includes categories the sub-processor is not registered to receive (Art. 28(3)(a), Art. 5(1)(b))',
  outside_region:
    "Storage and backups must stay in the instance's region (DESIGN principle 6; the controller's residency promise)",
  no_transfer_mechanism:
    'A third country with no transfer mechanism recorded (Art. 44): neither an adequacy decision nor appropriate safeguards',
  no_adequacy_decision:
    'No adequacy decision of the Commission covers that country on this day (Art. 45)',
  adequacy_scope_unconfirmed:
    "The country's adequacy decision covers only some recipients, and this one is not recorded as one of them",
  no_supplementary_measure:
    'Standard contractual clauses or binding corporate rules without a supplementary measure (Schrems II, C-311/18; EDPB Recommendations 01/2020)',
} as const
export type RefusalReason = keyof typeof refusalReasons

/** On what ground a transfer may go ahead. */
export type TransferGround = 'eea' | 'adequacy' | 'scc' | 'bcr'

export type TransferDecision =
  | { readonly allowed: true; readonly ground: TransferGround; readonly decision?: string }
  | { readonly allowed: false; readonly reason: RefusalReason }

export interface TransferQuestion {
  /** The registered recipient, or undefined when none matches. */
  readonly recipient: SubprocessorFields | undefined
  readonly kind: TransferKind
  readonly categories: readonly string[]
  readonly at: Date
  /** The instance's region (CUSTODIAN_REGION), which storage and backups may not leave. */
  readonly instanceRegion: string
}

/**
 * Whether personal data may go to a recipient, as one rule table (Art. 28, Chapter V and
 * the EDPB's recommendations after Schrems II). Pure: the guard finds the recipient and
 * audits the answer.
 */
export function decideTransfer(question: TransferQuestion): TransferDecision {
  const { recipient } = question
  if (recipient === undefined) return refused('unregistered')
  if (recipient.status !== 'active') return refused('retired')
  if (recipient.dpa === null) return refused('no_dpa')
  const covered = new Set(recipient.dataCategories)
  if (!question.categories.every((category) => covered.has(category))) {
    return refused('categories_not_covered')
  }
  if (
    (question.kind === 'storage' || question.kind === 'backup') &&
    !countriesOfRegion(question.instanceRegion).has(recipient.country)
  ) {
    return refused('outside_region')
  }
  // Within the EEA there is no transfer under Chapter V.
  if (isInEea(recipient.country)) return { allowed: true, ground: 'eea' }
  return decideThirdCountry(recipient, question.at)
}

function decideThirdCountry(recipient: SubprocessorFields, at: Date): TransferDecision {
  const mechanism = recipient.transferMechanism
  switch (mechanism.type) {
    case 'none':
      return refused('no_transfer_mechanism')
    case 'adequacy': {
      const decision = adequacyDecisionAt(recipient.country, at)
      if (decision === undefined) return refused('no_adequacy_decision')
      if (decision.scope === 'partial' && !mechanism.withinScope) {
        return refused('adequacy_scope_unconfirmed')
      }
      return { allowed: true, ground: 'adequacy', decision: decision.reference }
    }
    case 'scc':
    case 'bcr':
      // Art. 46 safeguards bind the parties, not the third country's authorities: after
      // Schrems II they need a measure that keeps the data out of reach, e.g. encryption
      // with keys that stay in the EU.
      if (recipient.supplementaryMeasures.length === 0) return refused('no_supplementary_measure')
      return { allowed: true, ground: mechanism.type }
  }
}

function refused(reason: RefusalReason): TransferDecision {
  return { allowed: false, reason }
}
