import type { LawfulBasis } from '../../consent/index.js'

/** A right of the data subject, as the records and the notice name it. */
export const subjectRights = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'portability',
  'objection',
  'withdraw-consent',
  'automated-decisions',
  'complaint',
] as const
export type SubjectRight = (typeof subjectRights)[number]

export const rightArticles: Readonly<Record<SubjectRight, string>> = {
  access: 'Art. 15',
  rectification: 'Art. 16',
  erasure: 'Art. 17',
  restriction: 'Art. 18',
  portability: 'Art. 20',
  objection: 'Art. 21',
  'withdraw-consent': 'Art. 7(3)',
  'automated-decisions': 'Art. 22',
  complaint: 'Art. 77',
}

/**
 * The rights a person has over data processed on these bases: access, rectification,
 * erasure and restriction always (with the limits Art. 17(3) sets); portability only on
 * consent or contract (Art. 20(1)(a)); objection on legitimate interests or a public
 * task (Art. 21(1)), and always against direct marketing (Art. 21(2)); withdrawing
 * consent where it is the basis (Art. 7(3)); the safeguards of Art. 22 where decisions
 * are automated; a complaint to the authority always (Art. 77).
 */
export function rightsFor(input: {
  bases: readonly LawfulBasis[]
  automatedDecisions: boolean
  directMarketing: boolean
}): SubjectRight[] {
  const rights: SubjectRight[] = ['access', 'rectification', 'erasure', 'restriction']
  if (input.bases.includes('consent') || input.bases.includes('contract'))
    rights.push('portability')
  if (
    input.bases.includes('legitimate-interests') ||
    input.bases.includes('public-task') ||
    input.directMarketing
  ) {
    rights.push('objection')
  }
  if (input.bases.includes('consent')) rights.push('withdraw-consent')
  if (input.automatedDecisions) rights.push('automated-decisions')
  rights.push('complaint')
  return rights
}
