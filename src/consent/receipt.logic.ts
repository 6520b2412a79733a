import { type LawfulBasis, lawfulBasisArticle } from './consent.logic.js'
import type { ConsentSource, LedgerAction } from './ledger.logic.js'
import type { LedgerEvent } from './ledger.rows.js'
import type { PurposeTerms } from './purposes.logic.js'

/**
 * A consent receipt, modelled on the Kantara Initiative Consent Receipt Specification
 * v1.1: the record of one choice an end-user can download and keep. Its shape is fixed
 * by `consent-receipt.schema.json`. The Kantara fields come first; what the
 * specification has no field for (a withdrawal, the lawful basis, GPC) sits under
 * `custodian`. The proof the controller holds (IP, user agent) is named, not shown: a
 * receipt travels, and the proof stays sealed where it is.
 */
export interface ConsentReceipt {
  version: 'KI-CR-v1.1.0'
  jurisdiction: string
  /** Seconds since the epoch, as the specification has it. */
  consentTimestamp: number
  collectionMethod: string
  consentReceiptID: string
  language: string
  piiPrincipalId: string
  piiControllers: { piiController: string; onBehalf: boolean }[]
  policyUrl: string | null
  services: {
    service: string
    purposes: {
      purpose: string
      purposeCategory: string[]
      consentType: 'EXPLICIT'
      piiCategory: string[]
      primaryPurpose: boolean
      termination: string
      thirdPartyDisclosure: boolean
    }[]
  }[]
  sensitive: boolean
  spiCat: string[]
  custodian: {
    action: LedgerAction
    granted: boolean
    purpose: string
    lawfulBasis: LawfulBasis
    lawfulBasisArticle: string
    /**
     * The digest of the purpose's terms shown above, as the choice cited them; null when
     * the choice predates kept terms, and the terms shown are the purpose's current ones.
     */
    purposeTermsSha256: string | null
    policyVersion: string | null
    policyTextSha256: string | null
    source: ConsentSource
    globalPrivacyControl: boolean
    recordedAt: string
    proofHeld: string[]
  }
}

export interface ReceiptInput {
  event: LedgerEvent
  /** The terms the choice was made under (`event.purposeTermsSha256`), else the current ones. */
  terms: PurposeTerms
  policy: { url: string; textSha256: string | null } | null
  controller: { name: string; region: string }
  proofHeld: { ip: boolean; userAgent: boolean }
}

const collectionMethods: Readonly<Record<ConsentSource, string>> = {
  sdk: "The site's consent banner or privacy settings (browser SDK)",
  api: "The controller's own application, through its server (REST API)",
  portal: 'The privacy portal',
  operator: "The controller's staff, recording what the person said",
}

export function buildReceipt(input: ReceiptInput): ConsentReceipt {
  const { event, terms: purpose } = input
  const granted = event.action === 'granted' || event.action === 'objection_withdrawn'
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: input.controller.region.toUpperCase(),
    consentTimestamp: Math.floor(new Date(event.recordedAt).getTime() / 1000),
    collectionMethod: collectionMethods[event.source],
    consentReceiptID: event.id,
    language: 'en',
    piiPrincipalId: event.subjectId,
    piiControllers: [{ piiController: input.controller.name, onBehalf: false }],
    policyUrl: input.policy?.url ?? null,
    services: [
      {
        service: input.controller.name,
        purposes: [
          {
            purpose: purpose.description,
            purposeCategory: [purpose.name],
            consentType: 'EXPLICIT',
            piiCategory: purpose.dataCategories,
            primaryPurpose: purpose.lawfulBasis === 'contract',
            termination: terminationOf(purpose.lawfulBasis),
            thirdPartyDisclosure: false,
          },
        ],
      },
    ],
    sensitive: false,
    spiCat: [],
    custodian: {
      action: event.action,
      granted,
      purpose: purpose.name,
      lawfulBasis: purpose.lawfulBasis,
      lawfulBasisArticle: lawfulBasisArticle[purpose.lawfulBasis],
      purposeTermsSha256: event.purposeTermsSha256,
      policyVersion: event.policyVersion,
      policyTextSha256: input.policy?.textSha256 ?? null,
      source: event.source,
      globalPrivacyControl: event.gpc,
      recordedAt: event.recordedAt,
      proofHeld: [
        'time',
        'source',
        ...(input.proofHeld.ip ? ['ip'] : []),
        ...(input.proofHeld.userAgent ? ['userAgent'] : []),
      ],
    },
  }
}

function terminationOf(basis: LawfulBasis): string {
  return basis === 'consent'
    ? 'Until you withdraw it, which you can do at any time and as easily as you gave it (GDPR Art. 7(3)).'
    : 'Your objection holds until you withdraw it (GDPR Art. 21).'
}
