import type { AuditActionCatalogue } from '../audit/index.js'

// Every ledger entry is audited as `consent.<ledger action>`, with the same details.
const ledgerDetails = ['source', 'gpc', 'policyVersion'] as const

/**
 * What the consent module writes to the audit log: reads of a person's consent record,
 * refusals of the one `mayProcess` decision (Art. 6 and 7), changes to the purpose
 * catalogue and policies, erasure, and one entry per consent ledger entry. A ledger
 * action without an entry here fails the type check where ledger entries are audited.
 */
export const consentAuditActions = {
  'consent.read': {
    when: 'A person’s consent state and history were read (`GET /v1/consents`)',
    details: ['events', 'proof'],
  },
  'consent.receipt_read': {
    when: 'A consent receipt was issued for one ledger entry (`GET /v1/consents/receipts/{id}`)',
    details: [],
  },
  'consent.denied': {
    when: 'The consent decision refused to let a purpose process a person (ingest, enrichment…)',
    details: ['reason', 'lawfulBasis'],
  },
  'consent.purpose_created': {
    when: 'A processing purpose was added to the workspace’s catalogue',
    details: ['lawfulBasis'],
  },
  'consent.purpose_changed': {
    when: 'A purpose changed without changing its lawful basis',
    details: ['fields'],
  },
  'consent.basis_changed': {
    when: 'A purpose’s lawful basis changed (Art. 6(1)); both bases are kept',
    details: ['fields', 'from', 'to', 'article'],
  },
  'consent.policy_published': {
    when: 'A privacy policy version was published, naming the purposes that need consent again',
    details: ['version', 'seq', 'reconsentPurposes'],
  },
  'consent.erased': {
    when: 'A person’s consent record was erased (keys destroyed, rows deleted), for erasure',
    details: ['subjects', 'events'],
    retired: 'erasure is one walk over every module: `subject.erased`',
  },
  'consent.granted': { when: 'A person consented to a purpose', details: ledgerDetails },
  'consent.withdrawn': {
    when: 'A person withdrew consent to a purpose (Art. 7(3))',
    details: ledgerDetails,
  },
  'consent.objected': {
    when: 'A person objected to a purpose (Art. 21)',
    details: ledgerDetails,
  },
  'consent.objection_withdrawn': {
    when: 'A person withdrew an objection',
    details: ledgerDetails,
  },
  'consent.restricted': {
    when: 'Processing of a person was restricted (Art. 18)',
    details: ledgerDetails,
  },
  'consent.restriction_lifted': {
    when: 'A restriction of processing was lifted',
    details: ledgerDetails,
  },
  'consent.automated_opted_out': {
    when: 'A person opted out of automated decisions (Art. 22)',
    details: ledgerDetails,
  },
  'consent.automated_opted_in': {
    when: 'A person withdrew their automated-decision opt-out',
    details: ledgerDetails,
  },
  'consent.gpc_on': {
    when: 'A Global Privacy Control signal was first seen for a person',
    details: ledgerDetails,
  },
  'consent.gpc_off': {
    when: 'A person’s Global Privacy Control signal stopped',
    details: ledgerDetails,
  },
  'consent.age_declared': {
    when: 'A person’s age was declared (the evidence is sealed in the ledger)',
    details: ledgerDetails,
  },
  'consent.parental_verified': {
    when: 'Parental consent for a child was verified (Art. 8)',
    details: ledgerDetails,
  },
  'consent.parental_withdrawn': {
    when: 'Parental consent for a child was withdrawn',
    details: ledgerDetails,
  },
  'consent.linked': {
    when: 'Identifiers were linked to one person on identify, merging subjects found to be one',
    details: ['source', 'mergedSubjects'],
  },
} as const satisfies AuditActionCatalogue

export type ConsentAuditAction = keyof typeof consentAuditActions
