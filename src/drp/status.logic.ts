import { type RejectionArticle, rejectionArticles, type RequestView } from '../rights/index.js'

/**
 * The Exercise Status object of §3.03, with the protocol's spellings, made from the
 * rights request it became. Pure.
 */

/** The states of §3.02. */
export const drpStates = [
  'open',
  'in_progress',
  'fulfilled',
  'revoked',
  'denied',
  'expired',
] as const
export type DrpState = (typeof drpStates)[number]

/** Final states (§3.02): nothing changes after them. */
export function isFinal(state: string): boolean {
  return state !== 'open' && state !== 'in_progress'
}

export interface ExerciseStatus {
  request_id: string
  agent_request_id?: string
  status: DrpState
  reason?: string
  received_at?: string
  expected_by?: string
  processing_details?: string
  user_verification_url?: string
  expires_at?: string
  results_url?: string
}

/** The DRP request as the status needs it. */
export interface StatusSource {
  id: string
  agentRequestId: string | null
  /** The rights request it became; undefined while it is being filed. */
  view: RequestView | undefined
  /** The agent's link to the export, once a fulfilled access or portability has one. */
  results: { url: string; expiresAt: string } | null
  /**
   * The state last reported, answered while there is no rights request to read: one
   * being filed (`open`), or one whose filing failed (`denied`).
   */
  reported: { status: DrpState; reason: string | null }
}

/**
 * §3.02's denial reasons for the grounds a rights request is refused on: a person who
 * never confirmed (Art. 11(2), 12(6)) is `insuf_verification`; a right's own limit
 * (Art. 15(4), 17(3), …) is `claim_not_covered`; Art. 12(5) is `other`, as "manifestly
 * unfounded or excessive" is none of the others.
 */
function denialReasonOf(article: string | null): string {
  if (article === 'art-12-6') return 'insuf_verification'
  if (article === 'art-12-5' || article === null) return 'other'
  return 'claim_not_covered'
}

const outcomeDetails: Readonly<Record<string, string>> = {
  'export-ready': "The person's data is ready to download at results_url",
  erased: "The person's data was erased; what the law requires to keep was kept (Art. 17(3) GDPR)",
  restricted: "Processing of the person's data is restricted (Art. 18 GDPR)",
  objected: 'Processing for the purposes objected to has stopped (Art. 21 GDPR)',
  'opted-out':
    'No decision about the person is made by automated means alone any more (Art. 22 GDPR)',
  rectified: "The person's profile was corrected (Art. 16 GDPR)",
}

/**
 * The status of one exercise. The clocks are the rights request's: `received_at` when
 * it arrived, `expected_by` the legal due date of Art. 12(3), or the extended one.
 */
export function exerciseStatusOf(source: StatusSource): ExerciseStatus {
  const base: ExerciseStatus = {
    request_id: source.id,
    ...(source.agentRequestId === null ? {} : { agent_request_id: source.agentRequestId }),
    status: 'open',
  }
  const view = source.view
  if (view === undefined) {
    const { status, reason } = source.reported
    return { ...base, status, ...(reason === null ? {} : { reason }) }
  }
  const clocks = {
    received_at: view.receivedAt,
    expected_by: view.extendedDueAt ?? view.legalDueAt,
  }
  const extended =
    view.extendedDueAt === null
      ? {}
      : {
          processing_details:
            'The answer period was extended by up to two further months (Art. 12(3) GDPR); the person was told why',
        }
  switch (view.status) {
    case 'received':
    case 'verifying':
      // §3.02: the business does not yet have sufficient verification. The person
      // confirms with the code mailed to the address the request names.
      return {
        ...base,
        status: 'in_progress',
        reason: 'need_user_verification',
        ...clocks,
        processing_details:
          "A confirmation code was mailed to the person's email address; the request proceeds once they enter it (Art. 12(6) GDPR)",
      }
    case 'in-progress':
      return { ...base, status: 'in_progress', ...clocks, ...extended }
    case 'completed': {
      const result = resultOf(view.outcome)
      return {
        ...base,
        status: 'fulfilled',
        ...clocks,
        ...(result === undefined ? {} : { processing_details: result }),
        ...(source.results === null
          ? {}
          : { results_url: source.results.url, expires_at: source.results.expiresAt }),
      }
    }
    case 'rejected': {
      const article = view.rejectionArticle
      return {
        ...base,
        status: 'denied',
        reason: denialReasonOf(article),
        ...clocks,
        ...(article !== null && Object.hasOwn(rejectionArticles, article)
          ? { processing_details: rejectionArticles[article as RejectionArticle] }
          : {}),
      }
    }
    case 'withdrawn':
      return { ...base, status: 'revoked', ...clocks }
  }
}

function resultOf(outcome: unknown): string | undefined {
  if (typeof outcome !== 'object' || outcome === null || !('result' in outcome)) return undefined
  const result = outcome.result
  return typeof result === 'string' ? outcomeDetails[result] : undefined
}
