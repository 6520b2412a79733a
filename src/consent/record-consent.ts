import { AppError } from '../errors.js'
import type { Database } from '../storage/index.js'
import { selectPurpose } from './catalogue.repository.js'
import type { ConsentDeps, ConsentWorkspace, LedgerContext } from './consent.deps.js'
import { consentSettings } from './consent.settings.js'
import { lawfulBasisArticle } from './consent.logic.js'
import type { SubjectRef } from '../subjects/index.js'
import type { LedgerEntry, PolicyRef } from './ledger.logic.js'
import type { LedgerEvent } from './ledger.rows.js'
import { appendToLedger } from './ledger.service.js'
import { policyForGrant, policyForWithdrawal } from './policies.service.js'
import { type Purpose, purposeTermsOf, resolvePurpose } from './purposes.logic.js'
import { gpcEntries } from './record-signals.js'
import { type PurposeView, purposeViewOf } from './views.logic.js'

export interface RecordConsentInput {
  workspace: ConsentWorkspace
  subject: SubjectRef
  purpose: string
  granted: boolean
  policyVersion?: string
  /**
   * The request's Global Privacy Control signal: true when the browser sent `Sec-GPC: 1`
   * or the SDK read `navigator.globalPrivacyControl === true`; false when the SDK read
   * it as off; undefined when unknown (a server-to-server call), which changes nothing.
   */
  globalPrivacyControl?: boolean
  context: LedgerContext
}

export interface RecordedConsent {
  subjectId: string
  /** The grant, withdrawal or objection itself: its id is the receipt's id. */
  event: LedgerEvent
  /** Every entry this call appended (a GPC signal comes first). */
  events: LedgerEvent[]
  state: PurposeView
}

/**
 * Records an end-user's choice about one purpose. On a consent-based purpose it is a
 * grant or a withdrawal; on legitimate interests or public task, where the person has
 * no consent to give but a right to object (Art. 21(1)), `granted: false` records an
 * objection and `granted: true` withdraws it. Purposes on contract, legal obligation or
 * vital interests do not depend on the person's choice, and saying otherwise to them
 * would mislead (Art. 7, EDPB Guidelines 05/2020 §121), so the call is refused.
 */
export async function recordConsent(
  deps: ConsentDeps,
  input: RecordConsentInput,
): Promise<RecordedConsent> {
  const workspaceId = input.workspace.id
  let purpose: Purpose | undefined
  const result = await appendToLedger(deps, {
    workspaceId,
    subject: input.subject,
    context: input.context,
    plan: async (trx, current) => {
      purpose = resolvePurpose(input.purpose, await selectPurpose(trx, workspaceId, input.purpose))
      if (purpose === undefined) {
        throw new AppError('invalid_request', `No purpose ${input.purpose} in this workspace`, {
          errors: [{ in: 'body', field: 'purpose', message: 'is not a purpose of this workspace' }],
        })
      }
      const gpc = input.globalPrivacyControl === true
      const choice = await choiceEntry(trx, workspaceId, purpose, input, gpc)
      return [...gpcEntries(current, input.globalPrivacyControl), choice]
    },
  })
  const event = result.events[result.events.length - 1]
  if (event === undefined || purpose === undefined) throw new Error('unreachable: nothing recorded')
  return {
    subjectId: result.subjectId,
    event,
    events: result.events,
    state: purposeViewOf(
      purpose,
      result.standing,
      consentSettings.read(input.workspace.settings).ageOfDigitalConsent,
      deps.clock.now(),
    ),
  }
}

async function choiceEntry(
  trx: Database,
  workspaceId: string,
  purpose: Purpose,
  input: RecordConsentInput,
  gpc: boolean,
): Promise<LedgerEntry> {
  const entry = (action: LedgerEntry['action'], policy: PolicyRef | null): LedgerEntry => ({
    action,
    purpose: purpose.name,
    policy,
    gpc,
    evidence: null,
    terms: purposeTermsOf(purpose),
  })
  switch (purpose.lawfulBasis) {
    case 'consent': {
      if (!input.granted) {
        return entry('withdrawn', await policyForWithdrawal(trx, workspaceId, input.policyVersion))
      }
      const policy = await policyForGrant(trx, workspaceId, input.policyVersion)
      if ((policy?.seq ?? 0) < purpose.minPolicySeq) {
        throw new AppError(
          'conflict',
          `Consent to ${purpose.name} must be asked again under a newer policy version than ${policy?.version ?? 'none'}`,
        )
      }
      return entry('granted', policy)
    }
    case 'legitimate-interests':
    case 'public-task':
      return entry(
        input.granted ? 'objection_withdrawn' : 'objected',
        await policyForWithdrawal(trx, workspaceId, input.policyVersion),
      )
    case 'contract':
    case 'legal-obligation':
    case 'vital-interests':
      throw new AppError(
        'conflict',
        `The purpose ${purpose.name} rests on ${purpose.lawfulBasis} (${lawfulBasisArticle[purpose.lawfulBasis]}), not on consent: there is nothing to grant or withdraw`,
      )
  }
}
