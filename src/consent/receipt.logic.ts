import type { Controller } from '../workspaces/index.js'
import { type LawfulBasis, lawfulBasisArticle } from './consent.logic.js'
import type { ConsentSource, LedgerAction } from './ledger.logic.js'
import type { LedgerEvent } from './ledger.rows.js'
import type { PurposeTerms } from './purposes.logic.js'

/**
 * A consent receipt, valid against the Kantara Initiative Consent Receipt Specification
 * v1.1 JSON schema (a copy in `kantara/`) and against our stricter
 * `consent-receipt.schema.json`: the record of one choice an end-user can download and
 * keep, signed by the workspace (see `receipts.ts`). The Kantara fields come first, the
 * controller's contact details and the policy URL among them; what the specification
 * has no field for (a withdrawal, the lawful basis, GPC, the DPO) sits under
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
  piiControllers: {
    piiController: string
    onBehalf: boolean
    contact: string
    address: {
      streetAddress: string
      addressLocality: string
      postalCode: string
      addressCountry: string
    }
    email: string
    phone: string
    piiControllerUrl: string
  }[]
  policyUrl: string
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
    /** Art. 13(1)(b): whom to ask about this choice. */
    dataProtectionOfficer: { name: string; email: string }
  }
}

export interface ReceiptInput {
  event: LedgerEvent
  /** The terms the choice was made under (`event.purposeTermsSha256`), else the current ones. */
  terms: PurposeTerms
  /** The policy version the choice cited, when it cited one. */
  policy: { url: string; textSha256: string | null } | null
  /** The workspace's own privacy notice: the policy URL when the choice cited no version. */
  noticeUrl: string
  /** The workspace's name (the service) and region, and its controller record. */
  controller: { name: string; region: string; record: Controller }
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
  const { record } = input.controller
  const granted = event.action === 'granted' || event.action === 'objection_withdrawn'
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: input.controller.region.toUpperCase(),
    consentTimestamp: Math.floor(new Date(event.recordedAt).getTime() / 1000),
    collectionMethod: collectionMethods[event.source],
    consentReceiptID: event.id,
    language: 'en',
    piiPrincipalId: event.subjectId,
    // Kantara CR v1.1 §4.2 requires the controller's contact name, address, email and
    // phone; Art. 13(1)(a) requires the same of the controller towards the person.
    piiControllers: [
      {
        piiController: record.legalName,
        onBehalf: false,
        contact: record.dpo.name,
        address: {
          streetAddress: record.address.streetAddress,
          addressLocality: record.address.locality,
          postalCode: record.address.postalCode,
          addressCountry: record.address.country,
        },
        email: record.email,
        phone: record.phone,
        piiControllerUrl: input.noticeUrl,
      },
    ],
    policyUrl: input.policy?.url ?? input.noticeUrl,
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
      dataProtectionOfficer: { name: record.dpo.name, email: record.dpo.email },
    },
  }
}

function terminationOf(basis: LawfulBasis): string {
  return basis === 'consent'
    ? 'Until you withdraw it, which you can do at any time and as easily as you gave it (GDPR Art. 7(3)).'
    : 'Your objection holds until you withdraw it (GDPR Art. 21).'
}
